import { recordDecision } from '../../core/approvals/approvals';
import type { Stage } from '../../core/schema/change';
import type { Services } from '../services';
import type { ActionResult, Via } from './actionRunner';

export interface DecisionInput {
  readonly chId: string;
  readonly stage: Stage;
  readonly decision: 'approved' | 'denied';
  /** Required for a denial (the engine refuses one without a reason). */
  readonly note?: string;
}

export interface DecisionValue {
  readonly chId: string;
  readonly stage: Stage;
  readonly decision: 'approved' | 'denied';
  readonly by: string;
  /** Artifact → sha256 the decision covers. */
  readonly covers: Record<string, string>;
  /** `CH-###/C-n`, the concern a denial raised. */
  readonly concern?: string;
  /** The change's stage after the decision. */
  readonly next?: Stage;
}

/**
 * `dynaforge approve|deny CH-### --stage <stage> [--note …]`: the engine records the decision
 * (git identity, covered hashes, gates, concern for a denial). Shared by the palette, CodeLens
 * and the chat participant; the caller prompts for what is missing and shows the outcome.
 */
export async function decideAction(s: Services, input: DecisionInput, via: Via = {}): Promise<ActionResult<DecisionValue>> {
  const { chId, stage, decision, note } = input;
  const verb = decision === 'approved' ? 'approve' : 'deny';
  const args = [verb, chId, '--stage', stage, ...(note ? ['--note', note] : [])];
  const result = await s.runner.run({ name: verb, args, title: `${verb} ${stage} of ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    const r = await recordDecision(ws, { chId, stage, decision, ...(note ? { note } : {}) }, await ctx.correlationId());
    return { chId, stage, decision, by: r.approval.by, covers: r.approval.artifacts, ...(r.concernId ? { concern: `${chId}/${r.concernId}` } : {}) };
  });
  if (!result?.ok) return result;
  const next = s.model.change(chId)?.status?.stage;
  return { ok: true, value: { ...result.value, ...(next ? { next } : {}) } };
}
