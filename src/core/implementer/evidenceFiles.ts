import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNumstat } from '../capture/diffFiles';
import { EMPTY_TREE, GitHistory } from '../repo/gitHistory';
import type { ImplementerFile } from '../schema/evidence';
import type { Workspace } from '../workspace';
import type { FileTracker, TaskChange } from './fileTracker';

/** git's rule for "binary": a NUL byte among the first 8,000 bytes. */
const BINARY_PROBE = 8000;
/** The same diff options as capture's, so the counts do not depend on the user's git config. */
const STABLE = ['--no-color', '--no-ext-diff', '--no-textconv'];
/** The side of a diff where a file is not (git reads it so on every platform). */
const NO_FILE = '/dev/null';

/** What the task's evidence records of where the project stood: git, or nothing to ask. */
export interface EvidenceGit {
  readonly history?: GitHistory;
  /** HEAD (git's empty tree before the first commit, or outside git). */
  readonly base: string;
}

export async function evidenceGit(ws: Pick<Workspace, 'git' | 'layout'>): Promise<EvidenceGit> {
  if (!ws.git.available) return { base: EMPTY_TREE };
  const history = new GitHistory(ws.layout.root);
  return { history, base: (await history.commitOf('HEAD')) ?? EMPTY_TREE };
}

/**
 * The files a task changed, as its evidence records them: status, the sha256 before its first
 * write and now (the tracker's), and in a git repository the blob ids (`git hash-object`, with
 * the attributes of the file's own path, as `task done` records them) and the line counts
 * (`git diff --no-index --numstat` against the pre-image the run folder kept). Outside git,
 * whether a file is binary is judged by git's own rule.
 */
export async function evidenceFiles(git: EvidenceGit, tracker: FileTracker, root: string, changes: readonly TaskChange[]): Promise<ImplementerFile[]> {
  const out: ImplementerFile[] = [];
  for (const c of changes) out.push(await fileEvidence(git, tracker, root, c));
  return out;
}

async function fileEvidence(git: EvidenceGit, tracker: FileTracker, root: string, c: TaskChange): Promise<ImplementerFile> {
  const pre = c.before === null ? undefined : tracker.preImage(c.before);
  const h = git.history;
  // A run folder from before pre-images were kept per task may lack this one: no counts then.
  const from = c.before === null ? NO_FILE : pre?.rel;
  const to = c.after === null ? NO_FILE : c.path;
  const counts = h && from ? [...parseNumstat(await h.raw(['diff', '--no-index', '--numstat', '-z', ...STABLE, '--', from, to])).values()][0] : undefined;
  const blobBefore = h && pre ? (await h.raw(['hash-object', `--path=${c.path}`, '--', pre.rel])).trim() : undefined;
  const blobAfter = h && c.after !== null ? (await h.raw(['hash-object', '--', c.path])).trim() : undefined;
  const binary = counts?.binary ?? [pre?.abs, c.after === null ? undefined : join(root, c.path)].some((f) => f !== undefined && looksBinary(f));
  return {
    path: c.path,
    status: c.before === null ? 'added' : c.after === null ? 'deleted' : 'modified',
    binary,
    ...(counts && !binary ? { additions: counts.additions, deletions: counts.deletions } : {}),
    ...(blobBefore ? { blob_before: blobBefore } : {}),
    ...(blobAfter ? { blob_after: blobAfter } : {}),
    ...(c.before !== null ? { sha256_before: c.before } : {}),
    ...(c.after !== null ? { sha256_after: c.after } : {}),
  };
}

function looksBinary(abs: string): boolean {
  return readFileSync(abs).subarray(0, BINARY_PROBE).includes(0);
}
