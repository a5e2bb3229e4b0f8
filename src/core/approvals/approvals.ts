import { raiseConcern, type Severity } from '../concerns/concerns';
import { DfError } from '../errors';
import type { Approval, Change, Stage } from '../schema/change';
import { stageApprover, unmetGates } from '../status/lifecycle';
import type { Workspace } from '../workspace';

/**
 * The artifacts an approval of each stage covers (and records the hashes of). `required`
 * ones must exist before the stage can be decided; `optional` ones are covered when present.
 */
export const STAGE_ARTIFACTS: Readonly<Record<Stage, { required: readonly string[]; optional: readonly string[] }>> = {
  frame: { required: ['brief.md'], optional: [] },
  spec: { required: ['spec.md'], optional: [] },
  execute: { required: ['plan.md', 'tasks.md'], optional: [] },
  validate: { required: ['tasks.md'], optional: ['evidence.json'] },
  package: { required: [], optional: ['brief.md', 'spec.md', 'plan.md', 'tasks.md', 'impact.md', 'evidence.json'] },
  cleanup: { required: [], optional: ['evidence.json'] },
};

export interface DecisionInput {
  readonly chId: string;
  readonly stage: Stage;
  readonly decision: 'approved' | 'denied';
  readonly subScope?: string;
  readonly note?: string;
  /** Severity of the concern a denial raises. */
  readonly severity?: Severity;
}

export interface DecisionResult {
  readonly change: Change;
  readonly approval: Approval;
  /** The concern a denial raised. */
  readonly concernId?: string;
}

/**
 * Records an approval or a denial by the person at the keyboard (their git identity; refused
 * when git has none), with the sha256 of every artifact it covers. Approving honours the
 * gate of the stage; a denial needs a reason, raises a concern and sends the stage back.
 */
export async function recordDecision(ws: Workspace, input: DecisionInput, correlationId: string): Promise<DecisionResult> {
  if (!ws.identity) {
    throw new DfError('usage', 'an approval records who decided, and git has no identity here', 'set it: git config user.name "Your Name" && git config user.email you@example.com', { field: 'git user.name / user.email' });
  }
  const note = input.note?.trim();
  if (input.decision === 'denied' && !note) throw new DfError('usage', 'a denial needs a reason', `say what must change: dynaforge deny ${input.chId} --stage ${input.stage} --note "…"`, { field: '--note' });
  const change = ws.store.read(input.chId);
  const artifacts = ws.store.artifacts(change.id);
  const cover = STAGE_ARTIFACTS[input.stage];
  const missing = cover.required.filter((a) => !(a in artifacts));
  if (missing.length) {
    throw new DfError('conflict', `${change.id} has no ${missing.join(' or ')} to ${input.decision === 'approved' ? 'approve' : 'deny'} for the ${input.stage} stage`, `create ${missing.map((m) => `changes/${change.id}/${m}`).join(' and ')} first (e.g. dynaforge ${missing[0]?.replace('.md', '')} ${change.id})`, { file: `changes/${change.id}/${missing[0]}` });
  }
  if (input.decision === 'approved' && !input.subScope) {
    const gates = unmetGates(input.stage, change, stageApprover(change, artifacts), ws.config);
    if (gates.length) throw new DfError('conflict', `cannot approve ${input.stage} of ${change.id}: ${gates.join('; ')}`, 'satisfy the gate first (see `dynaforge status`), or change the gates in .dynaforge/config.yaml', { field: 'stage' });
  }
  const covered = Object.fromEntries([...cover.required, ...cover.optional].filter((a) => a in artifacts).map((a) => [a, artifacts[a] as string]));
  const actor = ws.actor('approver');
  let concernId: string | undefined;
  if (input.decision === 'denied') {
    const concern = await raiseConcern({ layout: ws.layout, audit: ws.audit, actor, correlationId }, change.id, {
      severity: input.severity ?? 'medium',
      source: `denial of ${input.stage}${input.subScope ? ` [${input.subScope}]` : ''}`,
      summary: note as string,
      evidence: Object.keys(covered).map((a) => `changes/${change.id}/${a}`),
    });
    concernId = concern.id;
  }
  const approval: Approval = {
    stage: input.stage,
    ...(input.subScope ? { sub_scope: input.subScope } : {}),
    decision: input.decision,
    by: actor.id,
    at: ws.clock.nowIso(),
    ...(note ? { note } : {}),
    artifacts: covered,
    ...(input.stage === 'validate' || input.stage === 'package' ? { maturity_level: change.maturity_level } : {}),
  };
  const updated = await ws.store.update(change.id, (c) => ({ ...c, approvals: [...c.approvals, approval] }));
  await ws.audit.append({
    type: 'approval.recorded',
    ch_id: change.id,
    actor,
    correlation_id: correlationId,
    payload: { stage: input.stage, ...(input.subScope ? { sub_scope: input.subScope } : {}), decision: input.decision, ...(note ? { note } : {}), artifacts: covered, ...(concernId ? { concern_id: concernId } : {}) },
  });
  return { change: updated, approval, ...(concernId ? { concernId } : {}) };
}
