import { join } from 'node:path';
import { prettyJson, sha256 } from '../canonical';
import { EVIDENCE_FILE, evidenceRef, nextEvidenceId, readEvidence } from '../capture/evidenceStore';
import { writeFileAtomicSync } from '../fs/atomic';
import { changeDir, type Layout } from '../repo/layout';
import { EVIDENCE_VERSION, EvidenceSchema, type Evidence, type TaskDiffEvidence } from '../schema/evidence';

/**
 * Appends a task's evidence to the change's evidence.json under the next free id (callers
 * hold the change's task lock): canonical pretty JSON, validated before it is written,
 * earlier entries kept as they are.
 */
export function appendTaskEvidence(layout: Layout, chId: string, entry: Omit<TaskDiffEvidence, 'id'>): { entry: TaskDiffEvidence; ref: string; hash: string } {
  const current = readEvidence(layout, chId);
  const full: TaskDiffEvidence = { id: nextEvidenceId(current), ...entry };
  const next: Evidence = EvidenceSchema.parse({ version: EVIDENCE_VERSION, entries: [...current.entries, full] });
  const text = prettyJson(next);
  writeFileAtomicSync(join(changeDir(layout, chId), EVIDENCE_FILE), text, `changes/${chId}/${EVIDENCE_FILE}`);
  return { entry: full, ref: evidenceRef(full.id), hash: sha256(text) };
}
