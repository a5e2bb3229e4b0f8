import { Option, type Command } from 'commander';
import { capture } from '../../core/capture/capture';
import { MATURITY_LEVELS, RISK_TIERS, type MaturityLevel, type RiskTier } from '../../core/schema/change';
import { setActive } from '../../core/store/activeChange';
import { parseChangeId } from '../../core/store/changeIds';
import type { CliContext } from '../context';
import type { Runner } from '../program';

interface CaptureOptions {
  from?: string;
  staged?: boolean;
  working?: boolean;
  title?: string;
  into?: string;
  risk?: RiskTier;
  maturity?: MaturityLevel;
  use?: boolean;
}

export function registerCapture(program: Command, run: Runner): void {
  program
    .command('capture')
    .description('turn a git range (or the staged / working-tree changes) into a change of origin code, with the diff as evidence')
    .option('--from <range>', 'commits to capture: A..B, or A meaning A..HEAD')
    .option('--staged', 'capture the staged changes (index against HEAD)')
    .option('--working', 'capture the working-tree changes of tracked files (against HEAD)')
    .option('--title <title>', 'title of the new change (default: drafted from the commit messages)')
    .option('--into <id>', 'attach to this existing change instead of opening a new one')
    .addOption(new Option('--risk <tier>', 'risk tier of the new change').choices(RISK_TIERS))
    .addOption(new Option('--maturity <level>', 'maturity level of the new change').choices(MATURITY_LEVELS))
    .option('--use', 'make the change the active one')
    .action(run({ name: 'capture', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [opts] = args as [CaptureOptions];
      const ws = await ctx.workspace();
      const into = opts.into !== undefined ? parseChangeId(opts.into) : undefined;
      if (into) ctx.chId = into;
      const r = await capture(ws, {
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        staged: Boolean(opts.staged),
        working: Boolean(opts.working),
        ...(opts.title !== undefined ? { title: opts.title } : {}),
        ...(into ? { into } : {}),
        ...(opts.risk ? { risk: opts.risk } : {}),
        ...(opts.maturity ? { maturity: opts.maturity } : {}),
        actor: ws.actor('user'),
        correlationId: ctx.correlationId,
      });
      ctx.chId = r.change.id;
      if (opts.use) setActive(ws.layout, r.change.id, ws.branch);
      const files = [ws.store.relFile(r.change.id), ws.store.relFile(r.change.id, 'evidence.json'), ...(r.created ? [ws.store.relFile(r.change.id, 'brief.md')] : [])];
      ctx.emit({ change: r.change, created: r.created, evidence: r.evidence, evidence_ref: r.evidenceRef, warnings: r.warnings, files }, () => {
        const e = r.evidence;
        const lines = [
          `${r.created ? 'Captured into new change' : 'Attached to'} ${r.change.id}: ${r.change.title}`,
          `  ${e.commits.length} commit(s), ${e.files.length} file(s), diff sha256 ${e.diff_sha256.slice(0, 16)}… (${e.diff_bytes} bytes) as ${r.evidenceRef}`,
          ...files.map((f) => `  ${f}`),
          ...r.warnings.map((w) => `warning: ${w}`),
        ];
        if (r.created) lines.push(opts.use ? '  now the active change' : `Next: \`dynaforge impact ${r.change.id}\`, then edit the brief`);
        return lines.join('\n');
      });
    }));
}
