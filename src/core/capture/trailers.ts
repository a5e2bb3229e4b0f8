import type { GitHistory } from '../repo/gitHistory';
import { CHANGE_ID_RE, formatChangeId } from '../schema/ids';
import { resolveRange } from './range';

/** The trailer key that claims a commit for a change: `Change: CH-012`. */
export const CHANGE_TRAILER = 'Change';

/** A commit with the changes its `Change:` trailers claim it for (oldest first in lists). */
export interface ClaimedCommit {
  readonly sha: string;
  readonly subject: string;
  /** The whole message (subject, body, trailers). */
  readonly message: string;
  /** Change ids from `Change:` trailers, normalised (`CH-12` → `CH-012`), deduplicated, sorted. */
  readonly claimed_by: string[];
}

const FIELD = '\u0000';

/**
 * The commits in `from..to` (full shas, already resolved; `from` undefined = all history up
 * to `to`) with their claims, oldest first. One `git log -z` call: a field per NUL, three
 * fields per commit (a commit message cannot hold a NUL byte).
 */
export async function commitsWithClaims(h: GitHistory, from: string | undefined, to: string): Promise<ClaimedCommit[]> {
  const out = await h.raw([
    'log',
    '-z',
    '--reverse',
    `--format=%H%x00%(trailers:key=${CHANGE_TRAILER},valueonly,separator=%x2C)%x00%B`,
    from ? `${from}..${to}` : to,
    '--',
  ]);
  const fields = out.split(FIELD);
  const commits: ClaimedCommit[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const sha = (fields[i] as string).trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) continue;
    const message = (fields[i + 2] as string).replace(/\s+$/, '');
    commits.push({ sha, subject: message.split('\n')[0] ?? '', message, claimed_by: parseClaims(fields[i + 1] as string) });
  }
  return commits;
}

/** The commits of a user-given range (validated, see range.ts) with their claims: for capture and drift. */
export async function claimedCommitsInRange(h: GitHistory, spec: string): Promise<ClaimedCommit[]> {
  const { source } = await resolveRange(h, spec);
  if (source.kind !== 'range') return [];
  return commitsWithClaims(h, source.from, source.to);
}

/** `CH-012, ch-12,CH-7` → `['CH-007', 'CH-012']`; text that is not a change id is ignored. */
export function parseClaims(values: string): string[] {
  const ids = new Set<string>();
  for (const v of values.split(/[,\s]+/)) {
    const m = /^(?:CH-)?(\d{1,9})$/i.exec(v.trim());
    if (m) ids.add(formatChangeId(Number(m[1])));
  }
  return [...ids].sort(compareChangeIds);
}

export function compareChangeIds(a: string, b: string): number {
  const na = Number(CHANGE_ID_RE.exec(a)?.[1] ?? 0);
  const nb = Number(CHANGE_ID_RE.exec(b)?.[1] ?? 0);
  return na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

/** Requirement, workstream and test ids mentioned in text (commit messages), in order of first mention. */
export function traceIdsIn(text: string): { frs: string[]; ws: string[]; tcs: string[] } {
  const found = { frs: [] as string[], ws: [] as string[], tcs: [] as string[] };
  // Ends on a word character, so "FR-12." and "(TC-3)" give FR-12 and TC-3.
  for (const m of text.matchAll(/\b(FR|WS|TC)-[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*/g)) {
    const list = m[1] === 'FR' ? found.frs : m[1] === 'WS' ? found.ws : found.tcs;
    if (!list.includes(m[0])) list.push(m[0]);
  }
  return found;
}
