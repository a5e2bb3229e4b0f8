import * as vscode from 'vscode';
import { recordDecision } from '../../core/approvals/approvals';
import type { Stage } from '../../core/schema/change';
import type { ActionResult } from '../engine/actionRunner';
import type { Services } from '../services';
import { askNote, pickChange, pickStage } from '../ui/prompts';
import { DecisionArg, parseArg } from './args';

export interface DecisionValue {
  readonly chId: string;
  readonly stage: Stage;
  readonly decision: 'approved' | 'denied';
  readonly by: string;
  readonly covers: Record<string, string>;
  readonly concern?: string;
}

/**
 * Approve and Deny share their prompts: the change (active first), the stage (its current stage
 * first) and a note. What is given (a CodeLens names change and stage) is not asked again; a
 * denial always needs its reason.
 */
export async function decide(s: Services, decision: 'approved' | 'denied', arg: unknown): Promise<ActionResult<DecisionValue>> {
  const verb = decision === 'approved' ? 'approve' : 'deny';
  const a = parseArg(DecisionArg, arg, decision === 'approved' ? 'Approve Stage' : 'Deny Stage') ?? {};
  const chId = a.chId ?? (await pickChange(s.model, `The change to ${verb} a stage of`, (c) => c.change.status === 'open'));
  if (!chId) return undefined;
  const stage = a.stage ?? (await pickStage(`The stage of ${chId} to ${verb}`, s.model.change(chId)?.status?.stage));
  if (!stage) return undefined;
  let note = a.note;
  if (note === undefined && (decision === 'denied' || a.stage === undefined)) {
    note = await askNote(decision === 'denied' ? `Why deny the ${stage} stage of ${chId}? (a concern is raised with it)` : `Note for approving the ${stage} stage of ${chId}`, decision === 'denied');
    if (note === undefined) return undefined;
  }
  const args = [verb, chId, '--stage', stage, ...(note ? ['--note', note] : [])];
  const result = await s.runner.run({ name: verb, args, title: `${verb} ${stage} of ${chId}` }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    const r = await recordDecision(ws, { chId, stage, decision, ...(note ? { note } : {}) }, await ctx.correlationId());
    return { chId, stage, decision, by: r.approval.by, covers: r.approval.artifacts, ...(r.concernId ? { concern: `${chId}/${r.concernId}` } : {}) };
  });
  if (result?.ok) {
    const v = result.value;
    const next = s.model.change(chId)?.status?.stage;
    void vscode.window.showInformationMessage(
      decision === 'approved'
        ? `Dynaforge: approved ${chId} ${stage} (covers ${Object.keys(v.covers).join(', ') || 'no artifacts'})${next && next !== stage ? `; next stage: ${next}` : ''}.`
        : `Dynaforge: denied ${chId} ${stage}; raised concern ${v.concern ?? ''}.`,
    );
  }
  return result;
}
