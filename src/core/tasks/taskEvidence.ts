import { sha256 } from '../canonical';
import { appendEvidence, type AppendedEvidence, type NewEvidence } from '../capture/evidenceStore';
import type { AuditPayload } from '../schema/audit';
import type { ImplementerEvidence, TaskDiffEvidence } from '../schema/evidence';
import { serializeChange } from '../store/changeStore';
import type { Workspace } from '../workspace';

/** The evidence of a finished task: done by a person (`task done`) or by the Implementer. */
export type TaskEvidence = TaskDiffEvidence | ImplementerEvidence;

export interface RecordedTaskEvidence<E extends TaskEvidence> extends AppendedEvidence<E> {
  /** change.yaml with the reference added, as the caller's `change.updated` event records it. */
  readonly changeUpdated: AuditPayload<'change.updated'>;
}

/**
 * Records a finished task's evidence the one way both a person and the Implementer do: the
 * entry is appended to the change's evidence.json under the next free id (through the
 * evidence store: validated, under its lock, earlier entries kept as they are) and its
 * reference, `evidence.json#E-n`, added to change.yaml `evidence[]`. tasks.md and
 * CHANGE_SUMMARY.md link that same reference: it outlives any run folder. The caller records
 * `change.updated` (with `changeUpdated`) as its own actor.
 */
export async function recordTaskEvidence<E extends TaskEvidence>(ws: Pick<Workspace, 'layout' | 'store'>, chId: string, entry: NewEvidence<E>): Promise<RecordedTaskEvidence<E>> {
  const appended = await appendEvidence<E>(ws.layout, chId, entry);
  const updated = await ws.store.update(chId, (c) => ({ ...c, evidence: c.evidence.includes(appended.ref) ? c.evidence : [...c.evidence, appended.ref] }));
  return { ...appended, changeUpdated: { fields: ['evidence'], file: ws.store.relFile(chId), hash: sha256(serializeChange(updated)) } };
}
