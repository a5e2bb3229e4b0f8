import * as vscode from 'vscode';
import { decideAction, type DecisionValue } from '../engine/decideAction';
import type { ActionResult } from '../engine/actionRunner';
import type { Services } from '../services';
import { askNote, pickChange, pickStage } from '../ui/prompts';
import { DecisionArg, parseArg } from './args';

export type { DecisionValue } from '../engine/decideAction';

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
  const result = await decideAction(s, { chId, stage, decision, ...(note ? { note } : {}) });
  if (result?.ok) {
    const v = result.value;
    void vscode.window.showInformationMessage(
      decision === 'approved'
        ? `Dynaforge: approved ${chId} ${stage} (covers ${Object.keys(v.covers).join(', ') || 'no artifacts'})${v.next && v.next !== stage ? `; next stage: ${v.next}` : ''}.`
        : `Dynaforge: denied ${chId} ${stage}; raised concern ${v.concern ?? ''}.`,
    );
  }
  return result;
}
