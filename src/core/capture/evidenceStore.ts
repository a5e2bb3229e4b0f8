import { join } from 'node:path';
import { prettyJson, sha256 } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { changeDir, type Layout } from '../repo/layout';
import { EVIDENCE_VERSION, EvidenceSchema, type Evidence, type EvidenceEntry } from '../schema/evidence';
import { describeIssue, fieldPath } from '../schema/issues';

export const EVIDENCE_FILE = 'evidence.json';

/** `evidence.json#E-2`: how change.yaml's `evidence[]` points at an entry. */
export function evidenceRef(id: string): string {
  return `${EVIDENCE_FILE}#${id}`;
}

/** A change's evidence.json (an empty one when there is none yet); a damaged file is an error naming it. */
export function readEvidence(layout: Layout, chId: string): Evidence {
  const rel = `changes/${chId}/${EVIDENCE_FILE}`;
  const text = readTextIfExists(join(changeDir(layout, chId), EVIDENCE_FILE));
  if (text === undefined) return { version: EVIDENCE_VERSION, entries: [] };
  const fix = `restore ${rel} with \`git checkout -- ${rel}\` (evidence is only ever appended to), or fix it by hand`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DfError('invalid-schema', `${rel} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, fix, { file: rel });
  }
  const r = EvidenceSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DfError('invalid-schema', `${rel}: ${r.error.issues.slice(0, 3).map(describeIssue).join('; ')}`, fix, { file: rel, field: issue ? fieldPath(issue.path) : '(root)' });
  }
  return r.data;
}

/** The next entry id of a change's evidence: E-1, E-2, … */
export function nextEvidenceId(evidence: Evidence): string {
  const max = evidence.entries.reduce((m, e) => Math.max(m, Number(e.id.slice(2))), 0);
  return `E-${max + 1}`;
}

/** Appends one entry and writes the file atomically (canonical pretty JSON); returns its sha256. */
export function appendEvidence(layout: Layout, chId: string, entry: EvidenceEntry): string {
  const current = readEvidence(layout, chId);
  const next: Evidence = { version: EVIDENCE_VERSION, entries: [...current.entries, validEntry(entry)] };
  const text = prettyJson(next);
  writeFileAtomicSync(join(changeDir(layout, chId), EVIDENCE_FILE), text, `changes/${chId}/${EVIDENCE_FILE}`);
  return sha256(text);
}

/** Validates an entry before it is written: nothing invalid reaches disk. */
function validEntry(entry: EvidenceEntry): EvidenceEntry {
  return EvidenceSchema.parse({ version: EVIDENCE_VERSION, entries: [entry] }).entries[0] as EvidenceEntry;
}
