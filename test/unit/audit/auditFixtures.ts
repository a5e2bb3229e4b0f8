/**
 * Shared fixtures of the audit log tests: temp repositories, sample events, file surgery
 * for realistic tampering, and the child-process workers of the concurrency and crash tests.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { AuditLog, type StreamReport } from '../../../src/core/audit/auditLog';
import { headFile, streamFile } from '../../../src/core/audit/streams';
import { eventHash, type AuditProblemKind } from '../../../src/core/audit/verify';
import { canonicalJson, sha256 } from '../../../src/core/canonical';
import { isDfError, type DfError, type DfErrorCode } from '../../../src/core/errors';
import { fixedClock, type Clock } from '../../../src/core/ports/clock';
import type { Actor, AuditEvent, AuditEventInput } from '../../../src/core/schema/audit';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const WORKER = join(__dirname, 'fixtures', 'auditWorker.ts');
export const PROJECT = 'project/main.ada';
/** The project stream of the worker processes (fixtures/auditWorker.ts). */
export const SHARED_STREAM = 'project/main.shared';
export const CLOCK = fixedClock('2026-11-21T09:00:00.000Z');
export const ACTOR: Actor = { kind: 'human', id: 'Ada <ada@example.invalid>', role: 'implementer' };

/** Creates temp folders on demand and removes them after each test of the enclosing describe. */
export function tempDirs(): { make(): string } {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) removeDir(d);
  });
  return { make: () => makeTempDir(made) };
}

export function makeTempDir(track?: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'df-audit-'));
  track?.push(d);
  return d;
}

export function removeDir(d: string): void {
  if (existsSync(join(d, 'audit'))) chmodTree(join(d, 'audit'));
  rmSync(d, { recursive: true, force: true });
}

/** Makes everything under `d` owner-writable again (a test may have made it read-only). */
function chmodTree(d: string): void {
  writeMode(d);
  for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) chmodTree(join(d, e.name));
}

function writeMode(p: string): void {
  const mode = statSync(p).mode & 0o777;
  if ((mode & 0o200) === 0) chmodSync(p, mode | 0o200);
}

export interface TestLog {
  readonly root: string;
  readonly projectStream: string;
  readonly clock: Clock;
  readonly auditDir: string;
  readonly lockDir: string;
  readonly log: AuditLog;
  /** Absolute path of a stream's .jsonl file. */
  file(stream?: string): string;
  /** Absolute path of a stream's .head file. */
  head(stream?: string): string;
  /** The stream's lines (without their newlines); the file must end in a newline. */
  lines(stream?: string): string[];
  events(stream?: string): AuditEvent[];
  writeLines(lines: readonly string[], stream?: string): void;
}

export function openLog(root: string, projectStream = PROJECT, clock: Clock = CLOCK): TestLog {
  const auditDir = join(root, 'audit');
  const lockDir = join(root, '.dynaforge', 'state', 'locks');
  const log = new AuditLog({ root, auditDir, lockDir, clock, projectStream });
  const file = (s = projectStream): string => streamFile(auditDir, s);
  const lines = (s = projectStream): string[] => {
    const text = readFileSync(file(s), 'utf8');
    assert.ok(text.endsWith('\n'), `${file(s)} does not end in a newline`);
    return text.slice(0, -1).split('\n');
  };
  return {
    root,
    projectStream,
    clock,
    auditDir,
    lockDir,
    log,
    file,
    head: (s = projectStream) => headFile(auditDir, s),
    lines,
    events: (s = projectStream) => lines(s).map((l) => JSON.parse(l) as AuditEvent),
    writeLines: (ls, s = projectStream) => writeFileSync(file(s), ls.map((l) => `${l}\n`).join('')),
  };
}

export function command(n: number, correlationId = `corr-${n}`): AuditEventInput<'command'> {
  return { type: 'command', actor: ACTOR, correlation_id: correlationId, payload: { name: 'status', args: [`--n=${n}`], cwd: '.', outcome: 'ok', exit_code: 0 } };
}

export function concern(chId: string, summary: string, id = 'CN-1'): AuditEventInput<'concern.raised'> {
  return { type: 'concern.raised', ch_id: chId, actor: ACTOR, correlation_id: `corr-${id}`, payload: { concern_id: id, source: 'review', severity: 'high', summary, evidence: ['src/a.ts:3'] } };
}

/** Appends `n` command events to the project stream and returns them. */
export async function seed(t: TestLog, n: number): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for (let i = 1; i <= n; i++) out.push(await t.log.append(command(i)));
  return out;
}

/**
 * The exact bytes `input` would add to its stream as the next line (appended to a copy of the
 * log, which is then removed): what a crash mid-append leaves a prefix of.
 */
export async function nextLine(t: TestLog, input: AuditEventInput): Promise<Buffer> {
  const root = makeTempDir();
  try {
    if (existsSync(t.auditDir)) cpSync(t.auditDir, join(root, 'audit'), { recursive: true });
    const copy = openLog(root, t.projectStream, t.clock);
    const file = copy.file(copy.log.streamOf(input.ch_id));
    const size = existsSync(file) ? statSync(file).size : 0;
    await copy.log.append(input);
    return readFileSync(file).subarray(size);
  } finally {
    removeDir(root);
  }
}

/** What a forger who knows the format would write: the event with its hash recomputed. */
export function rehashed(event: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = event;
  return canonicalJson({ ...rest, hash: eventHash(rest as Omit<AuditEvent, 'hash'>) });
}

/** Asserts `p` rejects with a DfError of `code` and returns that error. */
export async function rejectsWith(p: Promise<unknown>, code: DfErrorCode): Promise<DfError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isDfError(e), `expected a DfError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  return assert.fail(`expected a DfError ${code}, but the call succeeded`);
}

/** Asserts the stream report names exactly this problem. */
export function assertProblem(r: StreamReport, kind: AuditProblemKind, line: number, message?: RegExp): void {
  assert.ok(r.problem, `expected ${kind} at line ${line}, but ${r.stream} verified ok`);
  assert.deepEqual({ kind: r.problem.kind, line: r.problem.line }, { kind, line }, r.problem.message);
  if (message) assert.match(r.problem.message, message);
}

/** Every file under `dir` with the sha256 of its bytes, keyed by relative path: to prove nothing changed. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), sha256(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

/** Starts the audit worker script in a child process. */
export function startWorker(args: readonly string[]): ChildProcess {
  return startScript(WORKER, args);
}

/** Starts a TypeScript worker script in a child process (node + tsx's CommonJS hook: the fastest start). */
export function startScript(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', script, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
}

export type WorkerExit = Awaited<ReturnType<typeof watch>>;

/**
 * Lets workers contend for real: waits until each has printed "ready" (loaded), then writes
 * "go" to all of them at once, and resolves with how each ended. A worker that exits before
 * all are ready fails the test.
 */
export async function startTogether(children: readonly ChildProcess[]): Promise<WorkerExit[]> {
  let ready = 0;
  let allReady: () => void = () => undefined;
  const readyP = new Promise<void>((res) => (allReady = res));
  const exits = children.map((c) =>
    watch(c, (line) => {
      if (line === 'ready' && ++ready === children.length) allReady();
    }),
  );
  await Promise.race([readyP, Promise.all(exits).then((r) => assert.fail(`workers exited before starting: ${JSON.stringify(r)}`))]);
  for (const c of children) c.stdin?.write('go\n');
  return Promise.all(exits);
}

/** Calls `onLine` for each complete stdout line of `child`; resolves with the exit code or signal. */
export function watch(child: ChildProcess, onLine: (line: string) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let buf = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr?.on('data', (d: string) => (stderr += d));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stderr }));
  });
}

/** A small seeded PRNG (mulberry32) so the crash test's timings are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
