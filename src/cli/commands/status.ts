import type { Command } from 'commander';
import { listChanges, statusOf } from '../../core/status/changeStatus';
import type { ChangeStatus } from '../../core/status/lifecycle';
import type { CliContext } from '../context';
import { activeVia } from '../output';
import type { Runner } from '../program';

/** The lines `status` and `show` print about a change's progress. */
export function describeStatus(s: ChangeStatus): string[] {
  const lines = [`  status: ${s.lifecycle} · stage: ${s.stage}`];
  if (s.approvals.length) {
    lines.push('  approvals:');
    for (const a of s.approvals) {
      const scope = a.approval.sub_scope ? ` [${a.approval.sub_scope}]` : '';
      lines.push(`    ${a.approval.stage}${scope}: ${a.approval.decision} by ${a.approval.by} at ${a.approval.at}${a.current ? '' : ` — STALE (${a.changed.join(', ')} changed)`}`);
    }
  } else {
    lines.push('  approvals: none yet');
  }
  lines.push(s.blockers.length ? '  blockers:' : '  blockers: none');
  for (const b of s.blockers) lines.push(`    - ${b}`);
  if (s.openConcerns.length) {
    lines.push('  open concerns:');
    for (const c of s.openConcerns) lines.push(`    ${c.ch_id}/${c.id} [${c.severity}, ${c.status}] ${c.summary}${c.assignee ? ` (→ ${c.assignee})` : ''}`);
  }
  return lines;
}

export function registerStatus(program: Command, run: Runner): void {
  program
    .command('status')
    .description('stage, approvals, blockers and open concerns of a change (default: the active one), or a summary of all')
    .argument('[id]', 'change id')
    .option('--all', 'summarise every change even when one is active')
    .action(run({ name: 'status', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { all?: boolean }];
      const ws = await ctx.workspace();
      const active = ws.activeChange();
      if (given !== undefined || (active && !opts.all)) {
        const id = ws.resolveChange(given);
        const change = ws.store.read(id);
        ctx.chId = id;
        const s = statusOf(ws, change);
        const note = given === undefined && active ? ` (active via ${activeVia(active.source, ws.branch)})` : '';
        ctx.emit({ id, title: change.title, lifecycle: s.lifecycle, stage: s.stage, approvals: s.approvals, blockers: s.blockers, open_concerns: s.openConcerns, active: active?.id === id }, () => [`${id}: ${change.title}${note}`, ...describeStatus(s)].join('\n'));
        return;
      }
      const { rows, problems } = listChanges(ws);
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status.lifecycle] = (counts[r.status.lifecycle] ?? 0) + 1;
      ctx.emit({ changes: rows.length, by_status: counts, invalid: problems.length, active: active?.id ?? null }, () =>
        [
          `${rows.length} change${rows.length === 1 ? '' : 's'}${rows.length ? `: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}` : ''}`,
          ...(problems.length ? [`${problems.length} change file(s) do not load: run \`dynaforge list\` to see them`] : []),
          active ? `active: ${active.id}` : 'no active change (dynaforge use CH-###)',
        ].join('\n'),
      );
      return problems.length ? 1 : 0;
    }));
}
