import type { RunReport } from '../../../core/implementer/implement';
import { Commands } from '../../constants';
import { abortRunAction, implementAction } from '../../engine/implementAction';
import { chooseModel } from '../../model/chooseModel';
import { parseChatArgs } from '../chatArgs';
import { CHAT_VIA, changeOf, followup, openWorkspace, valueOf, type ChatAnswer, type ChatCall, type ChatCommand } from '../chatCommand';
import { escEngine } from '../chatOut';
import { renderImplementerEvent } from '../implementerEvents';
import { renderTasks } from './design';
import { abortOn } from '../../lifecycle';

/**
 * `@df /implement [CH-###] [resume|abort]`: the Implementer's micro-loop with the chat's model,
 * each micro-task streamed live. Its edits can be undone with Abort. Without a model the
 * answer says so and hands the tasks to the person (task start / task done, with evidence).
 */
export const implementCommand: ChatCommand = {
  name: 'implement',
  access: 'writes',
  async run(c) {
    const args = parseChatArgs(c.prompt, { keywords: ['resume', 'abort'] });
    const view = changeOf(c, args.chId, 'implement');
    const id = view.change.id;
    if (args.keywords.has('abort')) return abort(c, id);
    const ws = await openWorkspace(c);
    const choice = await chooseModel(c.s.settings.value, ws, c.request.model);
    if (choice.port.provider === 'none') {
      c.out.para(`**No language model for the Implementer:** ${escEngine(choice.why ?? 'none is configured')}.\n\nYou can do the tasks yourself, and Dynaforge keeps the evidence: start a task, make the change, then mark it done — the diff since the start is recorded and the declared tests are run.`);
      const answer = await renderTasks(c, id, view.tasks, view.change.status === 'open');
      return { ...answer, followups: [followup('tasks', id, `Tasks of ${id}`), followup('status', id, `Status of ${id}`)] };
    }
    const resume = args.keywords.has('resume');
    c.out.progress(`The Implementer ${resume ? 'resumes' : 'starts'} on ${id} with ${choice.port.description}…`);
    c.out.button('Abort the run', Commands.AbortRun, { chId: id });
    const report = valueOf(c, await implementAction(c.s, { chId: id, resume, model: () => choice.port, onEvent: renderImplementerEvent(c.out), signal: abortOn(c.token) }, CHAT_VIA));
    if (!report) return { chId: id, followups: [followup('status', id, `Status of ${id}`)] };
    return finished(c, id, report);
  },
};

function finished(c: ChatCall, id: string, r: RunReport): ChatAnswer {
  const done = r.states.filter((s) => s.status === 'done').length;
  c.out.para(`\n**Run ${r.folder} ${r.run.status}**: ${done} of ${r.tasks.length} micro-task(s) done in ${r.run.steps_done} of ${r.run.max_steps} steps${r.why && r.run.status !== 'succeeded' ? ` — ${escEngine(r.why)}` : ''}.`);
  if (r.files.length) {
    c.out.md('Files: ');
    r.files.forEach((f, i) => {
      c.out.file(f.path);
      c.out.md(` (${f.action})${i < r.files.length - 1 ? ', ' : '\n\n'}`);
    });
  }
  if (r.tasks_md_done.length) c.out.para(`tasks.md: ${r.tasks_md_done.join(', ')} marked done.`);
  if (r.summary) {
    c.out.md('Summary: ');
    c.out.file(r.summary);
    c.out.md('\n\n');
  }
  if (r.concerns.length) c.out.para(`Concerns: ${r.concerns.join(', ')}.`);
  if (r.run.status !== 'succeeded') c.out.button('Undo this run (abort)', Commands.AbortRun, { chId: id });
  const next = r.run.status === 'succeeded' ? [followup('status', id, `Status of ${id}`), followup('check', '', 'Run the check')] : [followup('implement', `${id} resume`, `Resume the run of ${id}`), followup('implement', `${id} abort`, 'Undo the run')];
  return { chId: id, followups: next };
}

async function abort(c: ChatCall, id: string): Promise<ChatAnswer> {
  c.out.progress(`Aborting the newest run of ${id}…`);
  const r = valueOf(c, await abortRunAction(c.s, id, CHAT_VIA));
  if (!r) return { chId: id };
  c.out.para(`Aborted **${r.folder}**${r.stopped ? ' (it was running: stopped first)' : ''}: ${r.restored.length} file(s) restored, ${r.deleted.length} deleted.`);
  const lines = [
    ...r.restored.map((p) => `- restored \`${p}\``),
    ...r.deleted.map((p) => `- deleted \`${p}\``),
    ...r.kept.map((k) => `- kept \`${k.path}\`: ${escEngine(k.reason)} (yours now)`),
    ...(r.unmarked.length ? [`- tasks.md: ${r.unmarked.join(', ')} no longer marked done`] : []),
    ...(r.withdrawn.length ? [`- evidence withdrawn: ${r.withdrawn.map((w) => `\`${w}\``).join(', ')}`] : []),
  ];
  if (lines.length) c.out.para(lines.join('\n'));
  return { chId: id, followups: [followup('implement', id, `Start a new run of ${id}`), followup('status', id, `Status of ${id}`)] };
}
