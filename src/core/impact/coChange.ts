import { glob } from 'tinyglobby';
import type { GitHistory } from '../repo/gitHistory';
import { isDynaforgeRecord } from '../repo/layout';

const GLOB_CHARS = /[*?[\]{}!]/;

export interface ExpandedScope {
  /** Tracked files the scope covers, sorted. */
  readonly files: string[];
  /** Scope entries matching no tracked file (a deleted file, a path still to be created). */
  readonly unmatched: string[];
}

/**
 * Scope paths as tracked files: a file is itself, a folder is every tracked file below it,
 * a glob is matched (tinyglobby) against the tree and kept when git tracks the match.
 */
export async function expandScope(root: string, tracked: readonly string[], paths: readonly string[]): Promise<ExpandedScope> {
  const trackedSet = new Set(tracked);
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const p of paths) {
    let hits: string[];
    if (GLOB_CHARS.test(p)) hits = (await glob([p], { cwd: root, dot: true, onlyFiles: true })).filter((f) => trackedSet.has(f));
    else if (p === '.') hits = [...tracked];
    else hits = trackedSet.has(p) ? [p] : tracked.filter((f) => f.startsWith(`${p}/`));
    if (hits.length === 0) unmatched.push(p);
    for (const f of hits) files.add(f);
  }
  return { files: [...files].sort(), unmatched };
}

export interface CoChange {
  readonly path: string;
  /** Commits that changed this file together with at least one file of the scope. */
  readonly commits: number;
}

export interface CoChangeOptions {
  /** A file must share at least this many commits with the scope (default 2). */
  readonly minCommits?: number;
  /** How many to keep (default 10). */
  readonly top?: number;
  /** How far back to look (default the last 1000 commits touching the scope). */
  readonly maxCommits?: number;
  /** Commits touching more files than this are sweeping edits (renames, formatting), skipped (default 100). */
  readonly maxFilesPerCommit?: number;
}

/** Pathspecs per git call are capped so a huge scope cannot overflow the command line. */
const MAX_PATHSPECS = 500;

/**
 * Files that historically change together with `files`: from `git log --full-diff
 * --name-only` over the commits touching them, counted per commit, sorted by count then
 * path (deterministic), without the files themselves or governance files.
 */
export async function coChanges(h: GitHistory, files: readonly string[], opts: CoChangeOptions = {}): Promise<CoChange[]> {
  if (files.length === 0 || !(await h.commitOf('HEAD'))) return [];
  const scope = new Set(files);
  const out = await h.raw([
    'log',
    '--no-merges',
    '--full-diff',
    '--relative',
    '--name-only',
    '-z',
    `--max-count=${opts.maxCommits ?? 1000}`,
    '--format=%x01%H',
    'HEAD',
    '--',
    ...files.slice(0, MAX_PATHSPECS).map((f) => `:(literal)${f}`),
  ]);
  const counts = new Map<string, number>();
  const maxFiles = opts.maxFilesPerCommit ?? 100;
  for (const chunk of out.split('\u0001')) {
    const names = chunk.split('\0').slice(1).map((n) => n.replace(/^\n/, '')).filter(Boolean);
    if (names.length > maxFiles || !names.some((n) => scope.has(n))) continue;
    for (const n of new Set(names)) if (!scope.has(n) && !isDynaforgeRecord(n)) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, n]) => n >= (opts.minCommits ?? 2))
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, opts.top ?? 10)
    .map(([path, commits]) => ({ path, commits }));
}

/** Test files by name or folder: `test/`, `tests/`, `__tests__/`, `*.test.*`, `*.spec.*`, `*_test.*`. */
export function isTestFile(path: string): boolean {
  return /(^|\/)(test|tests|__tests__|spec)\//.test(path) || /\.(test|spec)\.[^/]+$/.test(path) || /_test\.[^/]+$/.test(path);
}
