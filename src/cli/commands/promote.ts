import { Option, type Command } from 'commander';
import { promote } from '../../core/approvals/promote';
import { MATURITY_LEVELS, type MaturityLevel } from '../../core/schema/change';
import type { CliContext } from '../context';
import type { Runner } from '../program';

export function registerPromote(program: Command, run: Runner): void {
  program
    .command('promote')
    .description('raise a change to a higher maturity level: its Validate and Package approvals and its QA verdict must be earned again')
    .argument('[id]', 'change id (default: the active change)')
    .addOption(new Option('--to <level>', 'the new maturity level').choices(MATURITY_LEVELS).makeOptionMandatory())
    .action(run({ name: 'promote', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { to: MaturityLevel }];
      const ws = await ctx.workspace();
      const id = ws.resolveChange(given);
      ctx.chId = id;
      const r = await promote(ws, id, opts.to, ctx.correlationId);
      ctx.emit({ id, from: r.from, to: opts.to, rerun: r.rerun, cleared_verdict: r.clearedVerdict ?? null }, () =>
        [
          `Promoted ${id} from ${r.from} to ${opts.to}.`,
          r.clearedVerdict ? `  the ${r.clearedVerdict} verdict was for ${r.from}: run \`dynaforge validate ${id}\` again` : '  no verdict yet: `dynaforge validate` judges it under the new policy',
          r.rerun.length ? `  ${r.rerun.join(' and ')} approval${r.rerun.length > 1 ? 's are' : ' is'} now stale: approve again after validating` : '',
        ].filter(Boolean).join('\n'),
      );
    }));
}
