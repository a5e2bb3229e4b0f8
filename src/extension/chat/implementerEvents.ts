import type { ImplementerEvent } from '../../core/implementer/events';
import { esc, escEngine, type ChatOut } from './chatOut';

/**
 * The Implementer's progress in the chat as it happens (its `onEvent`): the plan, each
 * micro-task as it starts and ends, every file it changes (linked), verifications, refusals
 * and concerns. The model's own text is not echoed: the events say what it did.
 */
export function renderImplementerEvent(out: ChatOut): (e: ImplementerEvent) => void {
  const titles = new Map<string, string>();
  return (e) => {
    switch (e.kind) {
      case 'run-started':
        out.para(`${e.resumed ? 'Resuming' : 'Starting'} **${e.folder}** with ${esc(e.model)} (budget ${e.max_steps} steps).`);
        break;
      case 'step-started':
        out.progress(`Step ${e.step}: ${e.phase === 'plan' ? 'planning' : `${e.task ?? ''} ${titles.get(e.task ?? '') ?? ''}`.trim()}…`);
        break;
      case 'plan-ready':
        for (const t of e.tasks) titles.set(t.id, t.title);
        out.para(`**Plan:** ${e.tasks.length} micro-task(s)\n${e.tasks.map((t) => `- ${t.id} ${esc(t.title)}${t.tasks_md ? ` (${t.tasks_md})` : ''}`).join('\n')}${e.notes.length ? `\n\n${e.notes.map((n) => `*${esc(n)}*`).join('\n')}` : ''}`);
        break;
      case 'plan-invalid':
        out.para(`The plan did not validate: ${escEngine(e.error)}${e.retry ? ' — asking again.' : ''}`);
        break;
      case 'task':
        if (e.state === 'running') out.md(`\n**${e.task}** ${esc(titles.get(e.task) ?? '')} — running\n\n`);
        else if (e.state === 'done') out.md(`✓ **${e.task}** done${e.files?.length ? `: ${e.files.join(', ')}` : ''}${e.resolved?.length ? `; resolved ${e.resolved.join(', ')}` : ''}\n\n`);
        else out.md(`✗ **${e.task}** not done (${e.reason ?? 'blocked'})${e.concern ? `; concern ${e.concern}` : ''}\n\n`);
        break;
      case 'file-changed':
        out.md(`- ${e.action} `);
        out.file(e.path);
        out.md('\n');
        break;
      case 'tool':
        if (!e.ok) out.md(`- ${e.name} failed: ${escEngine(e.summary)}\n`);
        break;
      case 'verification':
        out.md(`- verification **${esc(e.name)}**: ${e.passed ? 'passed' : e.timed_out ? 'timed out' : `failed (exit ${e.exit ?? 'killed'})`}\n`);
        break;
      case 'refused':
        out.md(`- refused to write \`${e.path}\`: ${escEngine(e.message)}\n`);
        break;
      case 'concern':
        out.md(`- concern **${e.id}**: ${escEngine(e.summary)}\n`);
        break;
      case 'run-finished':
        out.progress(`Run ${e.status}.`);
        break;
      default:
        break;
    }
  };
}
