import { parseClaims, CHANGE_TRAILER } from '../capture/trailers';
import type { GitHistory } from '../repo/gitHistory';
import { isDynaforgeRecord } from '../repo/layout';
import type { Change } from '../schema/change';
import { fingerprint, type Finding } from './model';

/** A commit since Dynaforge was adopted, with what it claims and the project files it touches. */
export interface WindowCommit {
  readonly sha: string;
  readonly subject: string;
  readonly claimed_by: readonly string[];
  readonly files: readonly string[];
}


/**
 * The commit Dynaforge was adopted at: `since` from config when given, else the first
 * commit that added .dynaforge/config.yaml. Undefined when the config was never committed
 * (then nothing is orphaned yet).
 */
export async function adoptionCommit(h: GitHistory, since: string | undefined): Promise<string | undefined> {
  if (since) return h.commitOf(since);
  const out = await h.tryRaw(['log', '--diff-filter=A', '--format=%H', '--relative', '--', '.dynaforge/config.yaml']);
  const shas = (out ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return shas[shas.length - 1];
}

/**
 * Non-merge commits after `since` up to HEAD, newest first, with their `Change:` claims and
 * the project files they touch (`--relative`: paths of the project folder only). One
 * `git log -z` call: records start with 0x1e, fields and file names end with NUL.
 */
export async function commitsSince(h: GitHistory, since: string): Promise<WindowCommit[]> {
  const out = await h.raw(['log', '-z', '--no-merges', '--relative', '--name-only', `--format=%x1e%H%x00%(trailers:key=${CHANGE_TRAILER},valueonly,separator=%x2C)%x00%s`, `${since}..HEAD`, '--']);
  const commits: WindowCommit[] = [];
  for (const record of out.split('\x1e')) {
    const [sha, claims, subject, ...names] = record.split('\0');
    if (!sha || !/^[0-9a-f]{40,64}$/.test(sha)) continue;
    const files = names.map((n) => n.replace(/^\n/, '')).filter(Boolean);
    commits.push({ sha, subject: subject ?? '', claimed_by: parseClaims(claims ?? ''), files });
  }
  return commits;
}

export interface OrphanInput {
  readonly commits: readonly WindowCommit[];
  readonly changes: readonly Change[];
  /** Commits some change's evidence already records (captured), by sha. */
  readonly captured: ReadonlySet<string>;
  /** Paths the config says are not governed (`drift.ignore` globs, compiled). */
  readonly ignored: (path: string) => boolean;
}

/**
 * Orphan commits (DESIGN.md §5): commits since adoption that touch governed files and that
 * no change claims — neither by a `Change:` trailer naming a change that exists here, nor by
 * being captured into a change's evidence. Each suggests the open changes whose scope covers
 * the files it touches, for `attach`.
 */
export function orphanCommits(input: OrphanInput): Finding[] {
  const known = new Set(input.changes.map((c) => c.id));
  const open = input.changes.filter((c) => c.status === 'open');
  const governed = (f: string) => !isDynaforgeRecord(f) && !input.ignored(f);
  const out: Finding[] = [];
  for (const c of input.commits) {
    if (input.captured.has(c.sha)) continue;
    const claimed = c.claimed_by.filter((id) => known.has(id));
    if (claimed.length) continue;
    const files = c.files.filter(governed);
    if (!files.length) continue;
    const unknownClaims = c.claimed_by.filter((id) => !known.has(id));
    const suggested = open.filter((ch) => ch.scope.paths.some((p) => files.some((f) => f === p || f.startsWith(`${p.replace(/\/$/, '')}/`)))).map((ch) => ch.id);
    const short = c.sha.slice(0, 12);
    out.push({
      key: `orphan-commit:${c.sha}`,
      kind: 'orphan-commit',
      severity: 'warning',
      message: `commit ${short} "${c.subject}" changes ${files.length} governed file${files.length > 1 ? 's' : ''} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''}) and no change claims it${unknownClaims.length ? ` (its trailer names ${unknownClaims.join(', ')}, which does not exist here)` : ''}`,
      file: files[0],
      fix: suggested.length
        ? `attach it: dynaforge reconcile --item orphan-commit:${c.sha} --apply attach --to ${suggested[0]}; or capture it as a new change (--apply capture)`
        : `capture it as a new change: dynaforge reconcile --item orphan-commit:${c.sha} --apply capture (or attach it with --apply attach --to CH-###)`,
      fingerprint: fingerprint(c.sha),
      actions: ['attach', 'capture', 'accept'],
      target: { type: 'commits', range: `${c.sha}~1..${c.sha}`, shas: [c.sha], ...(suggested.length ? { suggested } : {}) },
    });
  }
  return out;
}
