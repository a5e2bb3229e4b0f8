import { appendEvidence, evidenceRef, nextEvidenceId, readEvidence } from '../capture/evidenceStore';
import type { Layout } from '../repo/layout';
import type { TaskDiffEvidence } from '../schema/evidence';

/**
 * Appends a task's evidence to the change's evidence.json under the next free id (callers
 * hold the change's task lock), through the evidence store: validated before it is written,
 * earlier entries kept as they are.
 */
export function appendTaskEvidence(layout: Layout, chId: string, entry: Omit<TaskDiffEvidence, 'id'>): { entry: TaskDiffEvidence; ref: string; hash: string } {
  const full: TaskDiffEvidence = { id: nextEvidenceId(readEvidence(layout, chId)), ...entry };
  const hash = appendEvidence(layout, chId, full);
  return { entry: full, ref: evidenceRef(full.id), hash };
}
