import type { Command } from 'commander';
import { listChanges } from '../../core/status/changeStatus';
import type { CliContext } from '../context';
import { formatError, table } from '../output';
import type { Runner } from '../program';

export function registerList(program: Command, run: Runner): void {
  program
    .command('list')
    .description('list changes with their lifecycle status, stage, risk and open concerns')
    .option('--status <status>', 'only this lifecycle status (Draft, Analyzed, In-Progress, …)')
    .option('--stage <stage>', 'only changes in this stage (frame, spec, execute, …)')
    .option('--risk <tier>', 'only this risk tier')
    .action(run({ name: 'list', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const opts = args[0] as { status?: string; stage?: string; risk?: string };
      const ws = await ctx.workspace();
      const { rows, problems } = listChanges(ws, opts);
      const active = ws.activeChange()?.id;
      ctx.emit(
        {
          changes: rows.map(({ change, status }) => ({ id: change.id, title: change.title, lifecycle: status.lifecycle, stage: status.stage, risk_tier: change.risk_tier, maturity_level: change.maturity_level, open_concerns: status.openConcerns.length, active: change.id === active })),
          problems: problems.map((p) => p.toJSON()),
        },
        () => (rows.length ? table([['', 'ID', 'STATUS', 'STAGE', 'RISK', 'CONCERNS', 'TITLE'], ...rows.map(({ change, status }) => [change.id === active ? '*' : '', change.id, status.lifecycle, status.stage, change.risk_tier, String(status.openConcerns.length), change.title])]) : 'No changes match. Create one with: dynaforge new "Title"'),
      );
      for (const p of problems) ctx.io.err(formatError(p));
      return problems.length ? 1 : 0;
    }));
}
