import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';

/** git's well-known empty tree: the base of a diff in a repository with no commit yet. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** What a diff of the streaming hash saw: its sha256 and its size in bytes. */
export interface StreamedHash {
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Read-only questions about history (ranges, logs, diffs) asked of git with argument
 * arrays, never through a shell. Revisions that come from a user go through
 * `validateRev` / `resolveCommit` first (see range.ts).
 */
export class GitHistory {
  private readonly git: SimpleGit;

  constructor(readonly root: string) {
    this.git = simpleGit({ baseDir: root, trimmed: false, maxConcurrentProcesses: 4 });
  }

  /** `git <args>` with its stdout; failures become a DfError naming the command. */
  async raw(args: readonly string[]): Promise<string> {
    try {
      return await this.git.raw([...args]);
    } catch (e) {
      throw new DfError('git', `git ${args[0] ?? ''} failed: ${firstLine(e)}`, 'check the repository with `git status`, then retry', {}, { cause: e });
    }
  }

  /** Like raw(), but undefined instead of an error (for questions whose "no" is a failure). */
  async tryRaw(args: readonly string[]): Promise<string | undefined> {
    try {
      return await this.git.raw([...args]);
    } catch {
      return undefined;
    }
  }

  /** The full sha of `rev` as a commit, or undefined when it names none. `rev` must be validated. */
  async commitOf(rev: string): Promise<string | undefined> {
    const out = await this.tryRaw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    const sha = out?.trim();
    return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  }

  async isShallow(): Promise<boolean> {
    return (await this.tryRaw(['rev-parse', '--is-shallow-repository']))?.trim() === 'true';
  }

  /** The commits at the shallow boundary (their parents are missing), empty when not shallow. */
  async shallowBoundary(): Promise<Set<string>> {
    const path = await this.gitPath('shallow');
    const text = readTextIfExists(path) ?? '';
    return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean));
  }

  /** Absolute path of `git rev-parse --git-path <name>` (honours core.hooksPath for `hooks`). */
  async gitPath(name: string): Promise<string> {
    const p = (await this.raw(['rev-parse', '--git-path', name])).trim();
    return isAbsolute(p) ? p : resolve(this.root, p);
  }

  /** Current branch, or undefined on a detached HEAD. */
  async branch(): Promise<string | undefined> {
    return (await this.tryRaw(['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim() || undefined;
  }

  /** Tracked files (index), repository-relative, sorted. */
  async trackedFiles(): Promise<string[]> {
    return (await this.raw(['ls-files', '-z'])).split('\0').filter(Boolean).sort();
  }

  /** Untracked, not ignored files: a working-tree capture cannot see them until they are added. */
  async untrackedFiles(): Promise<string[]> {
    return (await this.raw(['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean).sort();
  }

  /**
   * Streams `git <args>` into sha256 without holding the output in memory (a 1 GB diff
   * costs a pipe buffer, not a gigabyte). No shell: the arguments go to git as they are.
   */
  streamHash(args: readonly string[]): Promise<StreamedHash> {
    return new Promise((done, fail) => {
      const child = spawn('git', [...args], { cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
      const hash = createHash('sha256');
      let bytes = 0;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 4096) stderr += chunk.toString('utf8');
      });
      child.on('error', (e) => fail(new DfError('git', `cannot run git: ${e.message}`, 'install git and make sure it is on PATH')));
      child.on('close', (code) => {
        if (code === 0) done({ sha256: hash.digest('hex'), bytes });
        else fail(new DfError('git', `git ${args[0] ?? ''} failed (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`, 'check the repository with `git status`, then retry'));
      });
    });
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.trim().split('\n')[0] ?? msg;
}
