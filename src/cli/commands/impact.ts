import type { Command } from 'commander';
import { writeImpact } from '../../core/impact/impact';
import type { CliContext } from '../context';
import type { Runner } from '../program';

export function registerImpact(program: Command, run: Runner): void {
  program
    .command('impact')
    .description('write changes/CH-###/impact.md: affected and co-changing files, requirements and tests, a suggested risk tier, conflicts with other open changes')
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: 'impact', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given] = args as [string | undefined];
      const ws = await ctx.workspace();
      const id = ws.resolveChange(given);
      ctx.chId = id;
      const { report, file, hash, written, derived_from } = await writeImpact(ws, id, ws.actor('user'), ctx.correlationId);
      ctx.emit({ impact: report, file, hash, written, derived_from }, () =>
        [
          written ? `Wrote ${file}` : `${file} unchanged (same inputs, same bytes)`,
          `  ${report.files.length + report.unmatched.length} file(s) in scope, ${report.co_changes.length} co-changing, ${report.frs.length} FR(s), ${report.tcs.length} TC(s)`,
          `  suggested risk tier: ${report.risk.suggested}${report.risk.suggested === report.risk.recorded ? '' : ` (recorded: ${report.risk.recorded})`}`,
          report.conflicts.length ? `  conflicts with open changes: ${report.conflicts.map((c) => c.id).join(', ')}` : '  no conflicts with other open changes',
        ].join('\n'),
      );
    }));
}
