import { join } from 'node:path';
import { prettyJson, sha256 } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
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
function nextEvidenceId(evidence: Evidence): string {
  const max = evidence.entries.reduce((m, e) => Math.max(m, Number(e.id.slice(2))), 0);
  return `E-${max + 1}`;
}

/** An entry before the store gives it its id. */
export type NewEvidence<E extends EvidenceEntry> = E extends unknown ? Omit<E, 'id'> : never;

export interface AppendedEvidence<E extends EvidenceEntry> {
  /** The entry as written, with its id. */
  readonly entry: E;
  /** `evidence.json#E-n` */
  readonly ref: string;
  /** sha256 of evidence.json as written. */
  readonly hash: string;
}

/**
 * Appends one entry under the next free id (E-1, E-2, …) and writes the file atomically
 * (canonical pretty JSON). The id is chosen, and the file read and written, under the
 * change's evidence lock: writers in other processes (`capture --into`, `task done`, the
 * Implementer) never take the same id or lose each other's entry.
 */
export async function appendEvidence<E extends EvidenceEntry>(layout: Layout, chId: string, entry: NewEvidence<E>): Promise<AppendedEvidence<E>> {
  const rel = `changes/${chId}/${EVIDENCE_FILE}`;
  return withLock(join(layout.lockDir, 'evidence', chId), () => {
    const current = readEvidence(layout, chId);
    const full = validEntry({ ...entry, id: nextEvidenceId(current) }) as E;
    const text = prettyJson({ version: EVIDENCE_VERSION, entries: [...current.entries, full] } satisfies Evidence);
    writeFileAtomicSync(join(changeDir(layout, chId), EVIDENCE_FILE), text, rel);
    return { entry: full, ref: evidenceRef(full.id), hash: sha256(text) };
  }, rel);
}

/** Validates an entry before it is written: nothing invalid reaches disk. */
function validEntry(entry: unknown): EvidenceEntry {
  return EvidenceSchema.parse({ version: EVIDENCE_VERSION, entries: [entry] }).entries[0] as EvidenceEntry;
}
