import type { Finding } from '../../core/drift/model';
import { Commands, type CommandId } from '../constants';
import type { ChangeView } from '../project/snapshot';
import { latestDecisions, staleApprovals } from './changeSummary';

/** Something a person can do next about a change, as the status bar's menu offers it. */
export interface ChangeAction {
  readonly label: string;
  readonly detail?: string;
  readonly command: CommandId;
  readonly args: Record<string, unknown>;
}

/**
 * What to do next about an open change, most pressing first: re-approve stale approvals,
 * reconcile drift, decide the current stage, finish the task in progress or start the next
 * one; then open it. Derived from the engine's status only; every entry runs a command.
 */
export function nextActions(view: ChangeView, drift: readonly Finding[]): ChangeAction[] {
  const chId = view.change.id;
  const out: ChangeAction[] = [];
  const status = view.status;
  if (status && view.change.status === 'open') {
    const latest = latestDecisions(status);
    for (const a of staleApprovals(latest)) {
      out.push({ label: `$(warning) Re-approve ${a.approval.stage}`, detail: `the approval by ${a.approval.by} is stale: ${a.changed.join(', ')} changed`, command: Commands.Approve, args: { chId, stage: a.approval.stage } });
    }
    if (drift.length) out.push({ label: `$(sync) Reconcile (${drift.length})`, detail: drift.slice(0, 3).map((f) => f.message).join('; '), command: Commands.Reconcile, args: { chId } });
    const here = latest.get(status.stage);
    if (!here?.current || here.approval.decision === 'denied') {
      const why = status.blockers.length ? `blockers: ${status.blockers.join('; ')}` : `stage ${status.stage} awaits a decision`;
      out.push({ label: `$(check) Approve ${status.stage}`, detail: why, command: Commands.Approve, args: { chId, stage: status.stage } });
      out.push({ label: `$(close) Deny ${status.stage}`, detail: 'with a note saying what to change', command: Commands.Deny, args: { chId, stage: status.stage } });
    }
    const doing = view.tasks.find((t) => t.state === 'doing');
    const next = view.tasks.find((t) => t.state === 'todo');
    if (doing) out.push({ label: `$(check) Done ${doing.id}`, detail: `${doing.text} — the diff since its start is the evidence`, command: Commands.CompleteTask, args: { chId, task: doing.id } });
    else if (next) out.push({ label: `$(play) Start ${next.id}`, detail: next.text, command: Commands.StartTask, args: { chId, task: next.id } });
  }
  out.push({ label: '$(go-to-file) Open the change', detail: view.change.title, command: Commands.OpenChange, args: { chId } });
  return out;
}
