import { join } from 'node:path';
import { prettyJson, sha256 } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import { changeDir, type Layout } from '../repo/layout';
import { EVIDENCE_VERSION, EvidenceSchema, EvidenceWithdrawalSchema, type Evidence, type EvidenceEntry, type EvidenceWithdrawal } from '../schema/evidence';
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

/** The next entry id of a change's evidence: E-1, E-2, … (withdrawn entries keep theirs: an id is never reused). */
function nextEvidenceId(evidence: Evidence): string {
  const max = evidence.entries.reduce((m, e) => Math.max(m, Number(e.id.slice(2))), 0);
  return `E-${max + 1}`;
}

/** Ids of the entries a withdrawal has taken back. */
export function withdrawnIds(evidence: Evidence): Set<string> {
  return new Set((evidence.withdrawals ?? []).flatMap((w) => w.entries));
}

/**
 * The entries that stand as evidence: every entry but the withdrawn ones. What every reader
 * of a change's evidence goes by (scope drift, orphan commits, QA, analyze); only the store
 * itself looks at all of them (ids are never reused).
 */
export function activeEntries(evidence: Evidence): EvidenceEntry[] {
  const withdrawn = withdrawnIds(evidence);
  return evidence.entries.filter((e) => !withdrawn.has(e.id));
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
 * Reads a change's evidence.json, lets `edit` decide what to write, and writes it atomically
 * (canonical pretty JSON), all under the change's evidence lock: writers in other processes
 * (`capture --into`, `task done`, the Implementer, `implement abort`) never take the same id
 * or lose each other's entry or withdrawal. `write` returns the sha256 of the file written.
 */
function editEvidence<T>(layout: Layout, chId: string, edit: (current: Evidence, write: (next: Evidence) => string) => T): Promise<T> {
  const rel = `changes/${chId}/${EVIDENCE_FILE}`;
  return withLock(
    join(layout.lockDir, 'evidence', chId),
    () =>
      edit(readEvidence(layout, chId), (next) => {
        const text = prettyJson(next);
        writeFileAtomicSync(join(changeDir(layout, chId), EVIDENCE_FILE), text, rel);
        return sha256(text);
      }),
    rel,
  );
}

/** Appends one entry under the next free id (E-1, E-2, …); everything already in the file is kept as it is. */
export async function appendEvidence<E extends EvidenceEntry>(layout: Layout, chId: string, entry: NewEvidence<E>): Promise<AppendedEvidence<E>> {
  return editEvidence(layout, chId, (current, write) => {
    const full = validEntry({ ...entry, id: nextEvidenceId(current) }) as E;
    const hash = write({ ...current, entries: [...current.entries, full] });
    return { entry: full, ref: evidenceRef(full.id), hash };
  });
}

export interface WithdrawnEvidence {
  /** The ids withdrawn now, in file order (an entry already withdrawn is not withdrawn twice). */
  readonly ids: string[];
  /** sha256 of evidence.json as written; absent when there was nothing to withdraw. */
  readonly hash?: string;
}

/**
 * Withdraws the standing entries `pick` chooses: one withdrawal `{entries, at, by, reason,
 * run_id?}` is appended to `withdrawals`, the entries themselves kept byte for byte (evidence
 * is only appended to). Nothing is written when no standing entry is picked.
 */
export async function withdrawEvidence(layout: Layout, chId: string, pick: (entry: EvidenceEntry) => boolean, withdrawal: Omit<EvidenceWithdrawal, 'entries'>): Promise<WithdrawnEvidence> {
  return editEvidence(layout, chId, (current, write) => {
    const ids = activeEntries(current).filter(pick).map((e) => e.id);
    if (!ids.length) return { ids };
    const record = EvidenceWithdrawalSchema.parse({ ...withdrawal, entries: ids });
    return { ids, hash: write({ ...current, withdrawals: [...(current.withdrawals ?? []), record] }) };
  });
}

/** Validates an entry before it is written: nothing invalid reaches disk. */
function validEntry(entry: unknown): EvidenceEntry {
  return EvidenceSchema.parse({ version: EVIDENCE_VERSION, entries: [entry] }).entries[0] as EvidenceEntry;
}
