import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffFiles, diffHash } from '../capture/diffFiles';
import { DfError } from '../errors';
import type { GitHistory } from '../repo/gitHistory';
import type { EvidenceFile } from '../schema/evidence';

/**
 * Folders and files of the project that are the tool's own records or generated views: a
 * task's work is what changed outside them (the task's own tasks.md edit, its audit events
 * and evidence must not count as "files changed"). CHANGELOG.md counts: people write it too.
 */
export const RECORD_PATHS = ['changes', 'audit', '.dynaforge', 'artifacts', 'PROGRESS.md', 'TRACEABILITY.md'] as const;

/** The working copy as git objects: a tree of every file, and HEAD then (absent before the first commit). */
export interface TreeSnapshot {
  readonly tree: string;
  readonly head?: string;
}

/** What changed between two snapshots: the files (with blob ids and line counts) and the hash of the full patch. */
export interface TreeDiff {
  readonly files: EvidenceFile[];
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Writes the whole working copy as a git tree without touching the user's index or files:
 * a private index (a copy of the real one, so unchanged files are not hashed again) takes
 * `git add -A` — tracked changes, deletions and untracked files, ignored files left out —
 * then loses RECORD_PATHS, and `git write-tree` stores it. Like `git stash create`, this
 * adds objects to the repository's object store and nothing else.
 */
export async function snapshotWorkingTree(h: GitHistory): Promise<TreeSnapshot> {
  const tmp = mkdtempSync(join(tmpdir(), 'dynaforge-index-'));
  const index = join(tmp, 'index');
  try {
    const real = await h.gitPath('index');
    if (existsSync(real)) copyFileSync(real, index);
    const env = { ...process.env, GIT_INDEX_FILE: index };
    // core.safecrlf=false: a line-ending warning (or error) is about committing, not about a snapshot.
    await gitWith(h.root, 'add', ['-c', 'core.safecrlf=false', 'add', '-A'], env);
    await gitWith(h.root, 'rm', ['rm', '--cached', '-r', '-q', '--ignore-unmatch', '--', ...RECORD_PATHS], env);
    const tree = (await gitWith(h.root, 'write-tree', ['write-tree'], env)).trim();
    if (!/^[0-9a-f]{40,64}$/.test(tree)) throw new DfError('git', `git write-tree gave "${tree.slice(0, 80)}", not a tree id`, 'check the repository with `git status`, then retry');
    const head = await h.commitOf('HEAD');
    return { tree, ...(head ? { head } : {}) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Whether the repository still has a tree (a baseline unreachable from any ref can be pruned by `git gc` after two weeks). */
export async function hasTree(h: GitHistory, tree: string): Promise<boolean> {
  return (await h.tryRaw(['cat-file', '-e', `${tree}^{tree}`])) !== undefined;
}

/** The diff between two snapshot trees, with capture's own helpers (same options, same hashing, blob ids from the trees). */
export async function diffTrees(h: GitHistory, from: string, to: string): Promise<TreeDiff> {
  const source = { kind: 'range', spec: `${from}..${to}`, from, to, base: from } as const;
  const [files, hash] = await Promise.all([diffFiles(h, source), diffHash(h, source)]);
  return { files, sha256: hash.sha256, bytes: hash.bytes };
}

/** Runs git with an environment of our own (the private index); stdout is returned, stderr kept for the error. */
function gitWith(cwd: string, what: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('git', [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 4096) err += c.toString('utf8');
    });
    child.on('error', (e) => fail(new DfError('git', `cannot run git: ${e.message}`, 'install git and make sure it is on PATH')));
    child.on('close', (code) => {
      if (code === 0) done(out);
      else fail(new DfError('git', `git ${what} failed (exit ${code}) while taking a snapshot of the working copy: ${err.trim().split('\n')[0] ?? ''}`, 'check the repository with `git status`, then retry'));
    });
  });
}
