/**
 * The CLI test harness: runs the built `dynaforge` binary (dist/cli.js) with execFile — never
 * through a shell — inside throw-away git repositories, with an environment the test controls.
 */
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');
/** The frozen clock every test runs with unless it says otherwise (it also seeds the ids). */
export const NOW = '2026-11-21T09:00:00Z';
export const IDENTITY = { name: 'Ada Tester', email: 'ada@example.invalid' } as const;
/** The project audit stream of a repo on `main` with IDENTITY: where commands without a change go. */
export const PROJECT_STREAM = 'audit/project/main.ada-example-invalid.jsonl';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment values; `undefined` removes a variable the harness would otherwise set. */
export type EnvPatch = Record<string, string | undefined>;

let built = false;

/** Builds dist/cli.js when it is missing or older than any source or template file. */
export function ensureBuilt(): void {
  if (built) return;
  const newestSource = Math.max(newestMtime(join(REPO_ROOT, 'src')), newestMtime(join(REPO_ROOT, 'templates')));
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newestSource) {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  built = true;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// One folder per test run holds every sandbox, with a HOME of its own so that the machine's
// ~/.gitconfig (default branch, identity, hooks) cannot leak into a test.
let sandboxRoot: string | undefined;
function sandbox(): string {
  if (!sandboxRoot) {
    sandboxRoot = mkdtempSync(join(tmpdir(), 'dynaforge-cli-'));
    mkdirSync(join(sandboxRoot, 'home'));
  }
  return sandboxRoot;
}

/** A fresh empty folder inside the sandbox (removed with it). */
export function tempDir(prefix = 'dir-'): string {
  return mkdtempSync(join(sandbox(), prefix));
}

/** The environment of every CLI and git run: nothing inherited but PATH. */
export function baseEnv(patch: EnvPatch = {}): NodeJS.ProcessEnv {
  const root = sandbox();
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    // git must not find a repository above the sandbox (the non-git tests depend on it).
    GIT_CEILING_DIRECTORIES: root,
    DYNAFORGE_NOW: NOW,
    ...patch,
  };
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined));
}

/** Runs git in `cwd` with the harness environment; returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: baseEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs the CLI once. Never throws on a non-zero exit: the result carries the code. */
export function runCli(cwd: string, args: readonly string[], env: EnvPatch = {}, input = ''): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd, env: baseEnv(env), encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return fail(err); // could not start at all
      done({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
    // stdin is a pipe: what a person would type (interactive commands), then end of input.
    child.stdin?.end(input);
  });
}

export interface RepoOptions {
  /** `git init` it (default true). */
  readonly git?: boolean;
  /** Run `dynaforge init` in it (default true). */
  readonly init?: boolean;
  /** Environment for every run in this repo. */
  readonly env?: EnvPatch;
}

/** A temporary project folder and the CLI runs made in it. */
export class TempRepo {
  /** The arguments of every CLI run made here: each run must leave exactly one `command` event. */
  readonly history: string[][] = [];

  private constructor(
    readonly dir: string,
    private readonly env: EnvPatch,
  ) {}

  static async create(opts: RepoOptions = {}): Promise<TempRepo> {
    const dir = tempDir('repo-');
    if (opts.git ?? true) initGitRepo(dir);
    const repo = new TempRepo(dir, opts.env ?? {});
    if (opts.init ?? true) await repo.ok('init');
    return repo;
  }

  /** Wraps a folder made some other way (e.g. `git clone`). */
  static at(dir: string, env: EnvPatch = {}): TempRepo {
    return new TempRepo(dir, env);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  read(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  git(...args: string[]): string {
    return git(this.dir, ...args);
  }

  /** Runs the CLI here (or in `cwd`, relative to the repo). */
  async run(args: readonly string[], opts: { env?: EnvPatch; cwd?: string; input?: string } = {}): Promise<CliResult> {
    this.history.push([...args]);
    return runCli(opts.cwd ? this.path(opts.cwd) : this.dir, args, { ...this.env, ...opts.env }, opts.input);
  }

  /** Runs the CLI and asserts it succeeded. */
  async ok(...args: string[]): Promise<CliResult> {
    const r = await this.run(args);
    assert.equal(r.code, 0, `dynaforge ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** Runs the CLI with --json, asserts success and returns the parsed object. */
  async json<T = Record<string, unknown>>(...args: string[]): Promise<T & { ok: boolean }> {
    const r = await this.ok('--json', ...args);
    const data = JSON.parse(r.stdout) as T & { ok: boolean };
    assert.equal(data.ok, true);
    return data;
  }

  /** Ids of the change folders, in numeric order. */
  changeIds(): string[] {
    const dir = this.path('changes');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((n) => /^CH-\d+$/.test(n)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  }

  /** Every audit event on disk, with the stream file it is in. */
  auditEvents(): AuditLine[] {
    return auditFiles(this.dir).flatMap((file) =>
      readFileSync(this.path(file), 'utf8').split('\n').filter(Boolean).map((line) => ({ file, ...(JSON.parse(line) as Omit<AuditLine, 'file'>) })),
    );
  }
}

export interface AuditLine {
  readonly file: string;
  readonly type: string;
  readonly seq: number;
  readonly ch_id?: string;
  readonly correlation_id: string;
  readonly actor: { readonly kind: 'human' | 'agent'; readonly id: string; readonly role: string };
  readonly payload: Record<string, unknown>;
}

export function auditFiles(root: string): string[] {
  return [...snapshot(root, ['audit']).keys()].filter((f) => f.endsWith('.jsonl')).sort();
}

export function initGitRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', IDENTITY.name);
  git(dir, 'config', 'user.email', IDENTITY.email);
  git(dir, 'config', 'commit.gpgsign', 'false');
}

/** Commits everything in the repo (sandbox repos only: the tests own every file in them). */
export function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

/**
 * Every file (and symlink) under `dir`, or under its `only` subfolders: relative path →
 * bytes. `.git` and the per-working-copy `.dynaforge/state` (locks) are left out.
 */
export function snapshot(dir: string, only?: readonly string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const visit = (p: string) => {
    const rel = relative(dir, p).replace(/\\/g, '/');
    if (rel === '.git' || rel === '.dynaforge/state') return;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out.set(rel, Buffer.from(`symlink → ${readlinkSync(p)}`));
    else if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    else out.set(rel, readFileSync(p));
  };
  for (const sub of only ?? ['.']) if (existsSync(join(dir, sub))) visit(join(dir, sub));
  return out;
}

/** Paths added, removed and changed between two snapshots, sorted. */
export function diffSnapshots(before: Map<string, Buffer>, after: Map<string, Buffer>): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = [...after.keys()].filter((k) => before.has(k) && !(before.get(k) as Buffer).equals(after.get(k) as Buffer)).sort();
  return { added, removed, changed };
}

/**
 * Asserts that a refused command wrote nothing but its own `command` event (outcome error,
 * with `exitCode`) at the end of `stream`: every other file is byte-identical to `before`.
 */
export function assertOnlyCommandEventAdded(repo: TempRepo, before: Map<string, Buffer>, exitCode: number, stream = PROJECT_STREAM): void {
  const after = snapshot(repo.dir);
  const diff = diffSnapshots(before, after);
  const head = stream.replace(/\.jsonl$/, '.head');
  assert.deepEqual(diff, { added: [], removed: [], changed: [head, stream].sort() }, 'nothing but the command event may change');
  const old = (before.get(stream) as Buffer).toString('utf8');
  const now = (after.get(stream) as Buffer).toString('utf8');
  assert.ok(now.startsWith(old), `${stream} was rewritten, not appended to`);
  const added = now.slice(old.length).split('\n').filter(Boolean);
  assert.equal(added.length, 1, `exactly one event appended to ${stream}`);
  const event = JSON.parse(added[0] as string) as AuditLine;
  assert.equal(event.type, 'command');
  assert.equal(event.payload.outcome, 'error');
  assert.equal(event.payload.exit_code, exitCode);
}

/** Asserts that nothing at all changed on disk since `before` (outside .git and .dynaforge/state). */
export function assertUnchanged(repo: TempRepo, before: Map<string, Buffer>): void {
  assert.deepEqual(diffSnapshots(before, snapshot(repo.dir)), { added: [], removed: [], changed: [] }, 'nothing may change on disk');
}

/** Makes everything under `p` owner-writable again, so a test that made it read-only can clean up. */
export function makeWritable(p: string): void {
  const st = lstatSync(p);
  if (st.isSymbolicLink()) return;
  if ((st.mode & 0o200) === 0) chmodSync(p, (st.mode & 0o7777) | 0o200);
  if (st.isDirectory()) for (const e of readdirSync(p)) makeWritable(join(p, e));
}

/** Removes every sandbox of this test run (set DF_KEEP_TMP=1 to keep them for a post-mortem). */
export function removeSandboxes(): void {
  if (!sandboxRoot || process.env.DF_KEEP_TMP) return;
  makeWritable(sandboxRoot);
  rmSync(sandboxRoot, { recursive: true, force: true });
  sandboxRoot = undefined;
}

/** Call at the top of each CLI test file: builds the binary once, removes the sandboxes after. */
export function cliSuite(): void {
  before(function () {
    this.timeout(180_000);
    ensureBuilt();
  });
  after(removeSandboxes);
}
