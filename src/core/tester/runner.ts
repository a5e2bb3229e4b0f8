import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { DfError } from '../errors';
import { addCounts, type TestCounts } from './counts';
import { parseJUnit } from './junit';
import { confinedPath } from './paths';
import { OutputTail, secretValues } from './tail';
import { parseTap } from './tap';

/** One test command as config.yaml `tests[]` declares it. */
export interface CommandSpec {
  readonly name: string;
  /** The user's own command line, run by a shell as npm scripts are (never model text). */
  readonly command: string;
  /** Repository-relative folder to run in; must stay inside the repository. */
  readonly cwd: string;
  readonly timeout_s: number;
  /** JUnit XML report the command writes, relative to `cwd`. */
  readonly junit?: string;
  /** TAP output file the command writes, relative to `cwd`. */
  readonly tap?: string;
}

/** What one run of a command did. */
export interface CommandResult {
  readonly name: string;
  readonly command: string;
  readonly cwd: string;
  /** Exit code; null when a signal ended the process (a timeout, an abort, a crash). */
  readonly exit: number | null;
  readonly signal?: string;
  readonly timed_out: boolean;
  readonly duration_ms: number;
  /** From the JUnit / TAP files when declared, written by this run, and readable (summed when both are). */
  readonly counts?: { tests: number; passed: number; failed: number; skipped: number };
  /** Last ~4 KB of stdout+stderr interleaved, secrets redacted. */
  readonly output_tail: string;
}

/** How long a process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** After the shell exits, how long to wait for pipes a leftover background process still holds. */
const DRAIN_MS = 1000;
/** Node's timers overflow (and fire at once) past 2^31 − 1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A result file older than the run by more than this (coarse file-system clocks) is stale. */
const MTIME_SLACK_MS = 2000;

/**
 * Runs one declared test command in its own process group, keeping only the (redacted) tail
 * of its output, killing the whole group at the timeout or when `signal` aborts, and reading
 * its JUnit / TAP results. Refuses a `cwd`, `junit` or `tap` path outside the repository, and
 * a `cwd` that is not a folder (DfError); a command that cannot start is a result with exit 127.
 */
export async function runCommand(
  root: string,
  spec: CommandSpec,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; now?: () => number } = {},
): Promise<CommandResult> {
  const { cwd: cwdAbs, junit: junitAbs, tap: tapAbs } = specPaths(root, spec);

  const env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  const tail = new OutputTail(secretValues(env));
  const wallStart = Date.now();
  const started = now();
  const ended = await spawnAndWait(spec, cwdAbs, env, tail, opts.signal);
  const duration_ms = Math.max(0, Math.round(now() - started));

  let counts: TestCounts | undefined;
  if (junitAbs) counts = addCounts(counts, readResults(junitAbs, spec.junit ?? '', 'JUnit', parseJUnit, wallStart, tail));
  if (tapAbs) counts = addCounts(counts, readResults(tapAbs, spec.tap ?? '', 'TAP', parseTap, wallStart, tail));

  return {
    name: spec.name,
    command: spec.command,
    cwd: spec.cwd,
    exit: ended.exit,
    ...(ended.signal ? { signal: ended.signal } : {}),
    timed_out: ended.timedOut,
    duration_ms,
    ...(counts ? { counts: { ...counts } } : {}),
    output_tail: tail.text(),
  };
}

/**
 * The absolute paths of a spec's `cwd` and result files, refusing (DfError) any that leaves
 * the repository and a `cwd` that is not a folder. Callers running several commands check
 * them all first, so a bad entry never leaves half a run.
 */
export function specPaths(root: string, spec: CommandSpec): { cwd: string; junit?: string; tap?: string } {
  const field = `tests[${spec.name}]`;
  const cwd = confinedPath(root, spec.cwd, `${field}.cwd`);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new DfError('not-found', `${field}.cwd (${spec.cwd}) is not a folder`, 'create the folder or fix `cwd` in .dynaforge/config.yaml', { file: '.dynaforge/config.yaml', field: `${field}.cwd` });
  }
  // Result files are relative to cwd; an absolute one is refused as such, not re-read under cwd.
  const result = (p: string | undefined, key: 'junit' | 'tap'): string | undefined =>
    p === undefined ? undefined : confinedPath(root, isAbsolute(p) || /^[a-zA-Z]:|^\\/.test(p) ? p : join(spec.cwd, p), `${field}.${key}`);
  const junit = result(spec.junit, 'junit');
  const tap = result(spec.tap, 'tap');
  return { cwd, ...(junit ? { junit } : {}), ...(tap ? { tap } : {}) };
}

interface Ended {
  readonly exit: number | null;
  readonly signal?: string;
  readonly timedOut: boolean;
}

function spawnAndWait(spec: CommandSpec, cwd: string, env: NodeJS.ProcessEnv, tail: OutputTail, signal?: AbortSignal): Promise<Ended> {
  const posix = process.platform !== 'win32';
  return new Promise<Ended>((resolvePromise) => {
    let timedOut = false;
    let stopping = false;
    let settled = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    let child: ChildProcess;
    try {
      // A new process group (POSIX) so a timeout kills what the shell started too.
      child = spawn(spec.command, { cwd, env, shell: true, detached: posix, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      tail.note(`[dynaforge: could not start the command: ${e instanceof Error ? e.message : String(e)}]\n`);
      resolvePromise({ exit: 127, timedOut: false });
      return;
    }

    const kill = (sig: NodeJS.Signals): void => {
      if (settled) return;
      try {
        if (posix && child.pid !== undefined) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // The group is already gone.
      }
    };
    const stop = (): void => {
      stopping = true;
      kill('SIGTERM');
      timers.push(setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS));
    };
    const finish = (): void => {
      if (settled) return;
      // Whatever of the group outlived the shell after a stop does not outlive us.
      if (stopping) kill('SIGKILL');
      settled = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const sig = exited?.signal ?? undefined;
      resolvePromise({ exit: exited?.code ?? null, ...(sig ? { signal: sig } : {}), timedOut });
    };
    const onAbort = (): void => stop();

    child.stdout?.on('data', (b: Buffer) => tail.push(b));
    child.stderr?.on('data', (b: Buffer) => tail.push(b));
    child.on('error', (e) => {
      tail.note(`[dynaforge: could not start the command: ${e.message}]\n`);
      exited ??= { code: 127, signal: null };
      finish();
    });
    child.on('exit', (code, sig) => {
      exited = { code, signal: sig };
      timers.push(setTimeout(finish, DRAIN_MS));
    });
    child.on('close', () => finish());

    timers.push(
      setTimeout(() => {
        if (exited) return;
        timedOut = true;
        tail.note(`\n[dynaforge: timed out after ${spec.timeout_s}s; killing the process group]\n`);
        stop();
      }, Math.min(spec.timeout_s * 1000, MAX_TIMER_MS)),
    );
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Counts from a result file this run wrote; a note in the output tail says why there are none. */
function readResults(
  abs: string,
  rel: string,
  kind: string,
  parse: (text: string) => TestCounts | undefined,
  wallStart: number,
  tail: OutputTail,
): TestCounts | undefined {
  let text: string;
  try {
    const st = statSync(abs);
    if (st.mtimeMs < wallStart - MTIME_SLACK_MS) {
      tail.note(`\n[dynaforge: ${kind} file ${rel} was not written by this run; ignored]\n`);
      return undefined;
    }
    text = readFileSync(abs, 'utf8');
  } catch {
    tail.note(`\n[dynaforge: ${kind} file ${rel} not found]\n`);
    return undefined;
  }
  const counts = parse(text);
  if (!counts) tail.note(`\n[dynaforge: ${kind} file ${rel} could not be read as ${kind}]\n`);
  return counts;
}
