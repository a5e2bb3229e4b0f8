import { Option, type Command } from 'commander';
import { MATURITY_LEVELS, ORIGINS, RISK_TIERS, type MaturityLevel, type Origin, type RiskTier } from '../../core/schema/change';
import { setActive } from '../../core/store/activeChange';
import { createRecordedChange } from '../../core/store/recorded';
import type { CliContext } from '../context';
import type { Runner } from '../program';

/** `--fr FR-1 FR-2` and `--fr FR-1,FR-2` both work. */
export function listArg(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

interface NewOptions {
  fr?: string[];
  ws?: string[];
  tc?: string[];
  scope?: string[];
  origin?: Origin;
  risk?: RiskTier;
  maturity?: MaturityLevel;
  use?: boolean;
}

export function registerNew(program: Command, run: Runner): void {
  program
    .command('new')
    .description('create a change: changes/CH-###/change.yaml and brief.md')
    .argument('<title...>', 'one-line title (any Unicode; quote it)')
    .option('--fr <ids...>', 'requirements it touches (FR-…)')
    .option('--ws <ids...>', 'workstreams (WS-…)')
    .option('--tc <ids...>', 'test cases (TC-…)')
    .option('--scope <paths...>', 'files, folders or globs it may change, relative to the repository root')
    .addOption(new Option('--origin <origin>', 'where it started').choices(ORIGINS))
    .addOption(new Option('--risk <tier>', 'risk tier').choices(RISK_TIERS))
    .addOption(new Option('--maturity <level>', 'maturity level').choices(MATURITY_LEVELS))
    .option('--use', 'make it the active change')
    .action(run({ name: 'new', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [titleWords, opts] = args as [string[], NewOptions];
      const ws = await ctx.workspace();
      const change = await createRecordedChange(ws, {
        title: titleWords.join(' '),
        ...(opts.origin ? { origin: opts.origin } : {}),
        paths: listArg(opts.scope),
        frs: listArg(opts.fr),
        ws: listArg(opts.ws),
        tcs: listArg(opts.tc),
        ...(opts.risk ? { risk: opts.risk } : {}),
        ...(opts.maturity ? { maturity: opts.maturity } : {}),
      }, ws.actor('user'), ctx.correlationId);
      const file = ws.store.relFile(change.id);
      ctx.chId = change.id;
      if (opts.use) setActive(ws.layout, change.id, ws.branch);
      ctx.emit({ change, files: [file, ws.store.relFile(change.id, 'brief.md')] }, () =>
        [`Created ${change.id}: ${change.title}`, `  ${file}`, `  ${ws.store.relFile(change.id, 'brief.md')}`, opts.use ? `  now the active change` : `Next: edit the brief, then \`dynaforge use ${change.id}\``].join('\n'),
      );
    }));
}
