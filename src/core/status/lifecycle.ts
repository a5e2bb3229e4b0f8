import type { Concern } from '../concerns/concerns';
import { STAGES, type Approval, type Change, type Stage } from '../schema/change';
import type { Config, GateConfig } from '../schema/config';

export const LIFECYCLE = ['Draft', 'Analyzed', 'In-Progress', 'Partially Approved', 'Approved', 'Merged', 'Abandoned'] as const;
export type Lifecycle = (typeof LIFECYCLE)[number];

export interface ApprovalState {
  readonly approval: Approval;
  /** True while every artifact hash it recorded still matches the file. */
  readonly current: boolean;
  /** Artifacts changed (or deleted) since the decision. */
  readonly changed: readonly string[];
}

export interface ChangeStatus {
  readonly id: string;
  readonly title: string;
  readonly lifecycle: Lifecycle;
  /** The stage the change is in: the first one without a current approval. */
  readonly stage: Stage;
  readonly approvals: readonly ApprovalState[];
  /** What stands between the change and its next stage, each with what would clear it. */
  readonly blockers: readonly string[];
  readonly openConcerns: readonly Concern[];
}

/** Whether an approval still covers the artifacts as they are now (`artifacts`: name → sha256). */
export function approvalState(approval: Approval, artifacts: Readonly<Record<string, string>>, maturity?: Change['maturity_level']): ApprovalState {
  const changed = Object.entries(approval.artifacts).filter(([path, hash]) => artifacts[path] !== hash).map(([path]) => path);
  // A promotion (a higher maturity level) re-runs Validate and Package: their decisions were for the old level.
  if (approval.maturity_level && maturity && approval.maturity_level !== maturity) changed.push(`maturity_level (${approval.maturity_level} → ${maturity})`);
  return { approval, current: changed.length === 0, changed };
}

/** The latest decision per stage (whole-stage approvals only; sub-scope approvals are partial). */
function latestByStage(states: readonly ApprovalState[]): Map<Stage, ApprovalState> {
  const out = new Map<Stage, ApprovalState>();
  for (const s of states) if (!s.approval.sub_scope) out.set(s.approval.stage, s);
  return out;
}

function gateApplies(gate: GateConfig, change: Change): boolean {
  return (!gate.maturity || gate.maturity.includes(change.maturity_level)) && (!gate.risk || gate.risk.includes(change.risk_tier));
}

/**
 * Everything about a change's progress that can be derived is derived here, from the
 * change record, the hashes of its artifacts now, and its concerns (DESIGN.md §2.2).
 */
/** Whether `stage` has a current, approving whole-stage decision as its latest. */
export function stageApprover(change: Change, artifacts: Readonly<Record<string, string>>): (s: Stage) => boolean {
  const latest = latestByStage(change.approvals.map((a) => approvalState(a, artifacts, change.maturity_level)));
  return (s) => {
    const st = latest.get(s);
    return st !== undefined && st.current && st.approval.decision === 'approved';
  };
}

/**
 * What the gates guarding `target` (a stage, or `merge`) still need, each saying what would
 * satisfy it. Empty when the change may enter `target`.
 */
export function unmetGates(target: Stage | 'merge', change: Change, approved: (s: Stage) => boolean, config: Config): string[] {
  const out: string[] = [];
  for (const gate of config.gates.filter((g) => g.stage === target && gateApplies(g, change))) {
    const missing = gate.requires.filter((s) => !approved(s));
    if (missing.length) out.push(`gate ${gate.stage}: needs ${missing.join(' + ')} approved (dynaforge approve ${change.id} --stage ${missing[0]})`);
    if (gate.verdict && !(change.qa_verdict && gate.verdict.includes(change.qa_verdict.verdict))) {
      out.push(`gate ${gate.stage}: needs a Validate verdict of ${gate.verdict.join(' or ')}${change.qa_verdict ? ` (now ${change.qa_verdict.verdict})` : ''}`);
    }
  }
  return out;
}

export function deriveStatus(change: Change, artifacts: Readonly<Record<string, string>>, concerns: readonly Concern[], config: Config): ChangeStatus {
  const approvals = change.approvals.map((a) => approvalState(a, artifacts, change.maturity_level));
  const latest = latestByStage(approvals);
  const approved = stageApprover(change, artifacts);
  const stage = STAGES.find((s) => !approved(s)) ?? 'cleanup';
  const openConcerns = concerns.filter((c) => c.status !== 'resolved');

  const blockers: string[] = [];
  const denied = latest.get(stage);
  if (denied?.approval.decision === 'denied') blockers.push(`${stage} was denied by ${denied.approval.by}${denied.approval.note ? ` ("${denied.approval.note}")` : ''}: address it and ask for approval again`);
  // Only the latest decision per stage (and sub-scope) counts: a stale approval that a later decision superseded blocks nothing.
  const latestPer = new Map(approvals.map((st) => [`${st.approval.stage}\u0000${st.approval.sub_scope ?? ''}`, st]));
  for (const st of latestPer.values()) {
    if (!st.current && st.approval.decision === 'approved') blockers.push(`${st.approval.stage} approval by ${st.approval.by} is stale (${st.changed.join(', ')} changed since): re-approve`);
  }
  const next = STAGES[STAGES.indexOf(stage) + 1];
  blockers.push(...unmetGates(stage === 'cleanup' ? 'merge' : (next ?? 'merge'), change, approved, config));
  const blocking = openConcerns.filter((c) => c.severity === 'high' || c.severity === 'critical');
  if (blocking.length) blockers.push(`${blocking.length} open concern${blocking.length > 1 ? 's' : ''} of severity high or above (${blocking.map((c) => c.id).join(', ')}) block a PASS: resolve them`);

  return { id: change.id, title: change.title, lifecycle: deriveLifecycle(change, artifacts, approvals, approved), stage, approvals, blockers, openConcerns };
}

function deriveLifecycle(change: Change, artifacts: Readonly<Record<string, string>>, approvals: readonly ApprovalState[], approved: (s: Stage) => boolean): Lifecycle {
  if (change.status === 'merged') return 'Merged';
  if (change.status === 'abandoned') return 'Abandoned';
  if (approved('package')) return 'Approved';
  if (['execute', 'validate'].some((s) => approved(s as Stage))) return 'Partially Approved';
  if ((approved('frame') && approved('spec')) || 'tasks.md' in artifacts) return 'In-Progress';
  if (approvals.some((a) => a.current && a.approval.decision === 'approved') || 'spec.md' in artifacts || 'impact.md' in artifacts) return 'Analyzed';
  return 'Draft';
}
