import { Option, type Command } from 'commander';
import { recordDecision, type DecisionResult } from '../../core/approvals/approvals';
import { SEVERITIES, type Severity } from '../../core/concerns/concerns';
import { STAGES, type Stage } from '../../core/schema/change';
import type { CliContext } from '../context';
import type { Runner } from '../program';

interface DecideOptions {
  stage: Stage;
  scope?: string;
  note?: string;
  severity?: Severity;
}

function describe(r: DecisionResult): string {
  const a = r.approval;
  const what = `${r.change.id} ${a.stage}${a.sub_scope ? ` [${a.sub_scope}]` : ''}`;
  const covered = Object.entries(a.artifacts).map(([name, hash]) => `${name} sha256:${hash.slice(0, 12)}`).join(', ') || 'no artifacts';
  return a.decision === 'approved'
    ? `Approved ${what} as ${a.by}\n  covers: ${covered}\n  it stays current while those files are unchanged`
    : `Denied ${what} as ${a.by}: ${a.note}\n  raised concern ${r.change.id}/${r.concernId}; the stage goes back for rework`;
}

/** `approve` and `deny` share everything but the decision. */
function registerDecision(program: Command, run: Runner, decision: 'approved' | 'denied'): void {
  const name = decision === 'approved' ? 'approve' : 'deny';
  const cmd = program
    .command(name)
    .description(decision === 'approved' ? 'approve a stage of a change (records your git identity and the hash of every artifact covered)' : 'deny a stage of a change with a reason (raises a concern, sends the stage back)')
    .argument('[id]', 'change id (default: the active change)')
    .addOption(new Option('--stage <stage>', 'the stage decided').choices(STAGES).makeOptionMandatory())
    .option('--scope <sub-scope>', 'decide only part of the stage, e.g. FR-2');
  if (decision === 'approved') cmd.option('--note <text>', 'why');
  else cmd.requiredOption('--note <reason>', 'what must change').addOption(new Option('--severity <level>', 'severity of the concern raised').choices(SEVERITIES).default('medium'));
  cmd.action(run({ name, workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
    const [given, opts] = args as [string | undefined, DecideOptions];
    const ws = await ctx.workspace();
    const chId = ws.resolveChange(given);
    ws.store.read(chId);
    ctx.chId = chId;
    const r = await recordDecision(ws, { chId, stage: opts.stage, decision, ...(opts.scope ? { subScope: opts.scope } : {}), ...(opts.note ? { note: opts.note } : {}), ...(opts.severity ? { severity: opts.severity } : {}) }, ctx.correlationId);
    ctx.emit({ approval: r.approval, ...(r.concernId ? { concern: `${chId}/${r.concernId}` } : {}) }, () => describe(r));
  }));
}

export function registerApprove(program: Command, run: Runner): void {
  registerDecision(program, run, 'approved');
}

export function registerDeny(program: Command, run: Runner): void {
  registerDecision(program, run, 'denied');
}
