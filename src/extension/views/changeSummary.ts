import type { Finding } from '../../core/drift/model';
import type { Stage } from '../../core/schema/change';
import type { ApprovalState, ChangeStatus } from '../../core/status/lifecycle';

/** How the current stage stands, in words and as a codicon. Derived from the engine's status only. */
export interface ApprovalSummary {
  readonly text: string;
  readonly icon: 'warning' | 'error' | 'pass' | 'circle-large-outline';
  readonly staleStages: readonly Stage[];
}

/** The latest whole-stage decision per stage. */
export function latestDecisions(status: ChangeStatus): Map<Stage, ApprovalState> {
  const out = new Map<Stage, ApprovalState>();
  for (const a of status.approvals) if (!a.approval.sub_scope) out.set(a.approval.stage, a);
  return out;
}

/** The latest whole-stage approvals whose artifacts changed since: they need a fresh decision. */
export function staleApprovals(latest: ReadonlyMap<Stage, ApprovalState>): ApprovalState[] {
  return [...latest.values()].filter((a) => a.approval.decision === 'approved' && !a.current);
}

export function approvalSummary(status: ChangeStatus): ApprovalSummary {
  const latest = latestDecisions(status);
  const staleStages = staleApprovals(latest).map((a) => a.approval.stage);
  if (staleStages.length) return { text: `approval stale (${staleStages.join(', ')})`, icon: 'warning', staleStages };
  const here = latest.get(status.stage);
  if (here?.approval.decision === 'denied') return { text: 'denied', icon: 'error', staleStages };
  if (status.stage === 'cleanup' && here?.current) return { text: 'all stages approved', icon: 'pass', staleStages };
  return { text: 'awaiting approval', icon: 'circle-large-outline', staleStages };
}

/** One line for the tree and the status bar tooltip: stage, approvals, drift and concerns. */
export function describeChange(status: ChangeStatus, drift: readonly Finding[]): string {
  const parts = [`stage ${status.stage}`, approvalSummary(status).text];
  if (drift.length) parts.push(`${drift.length} drift`);
  if (status.openConcerns.length) parts.push(`${status.openConcerns.length} concern${status.openConcerns.length > 1 ? 's' : ''}`);
  return parts.join(' · ');
}
