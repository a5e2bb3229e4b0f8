import { DfError } from '../errors';
import type { Config } from '../schema/config';
import type { TaskVerification } from '../schema/evidence';
import { runCommand, type CommandResult } from '../tester/runner';

export type TestCommand = Config['tests'][number];

/** What `task done` will do to verify a task: run declared commands, find none declared, or skip on request. */
export type VerificationPlan = { readonly kind: 'run'; readonly tests: readonly TestCommand[] } | { readonly kind: 'none-declared' } | { readonly kind: 'skipped' };

/**
 * `--verify NAME…` picks declared tests by name (all of them by default); `--no-verify` skips
 * them, explicitly. An unknown name is a usage error listing the declared ones.
 */
export function planVerification(tests: readonly TestCommand[], opts: { only?: readonly string[]; noVerify?: boolean }): VerificationPlan {
  const only = opts.only ?? [];
  if (opts.noVerify && only.length) throw new DfError('usage', '--verify and --no-verify contradict each other', 'give one of them', { field: '--verify' });
  if (opts.noVerify) return { kind: 'skipped' };
  if (!tests.length) {
    if (only.length) throw new DfError('usage', `--verify ${only[0]}: .dynaforge/config.yaml declares no tests[]`, 'declare the command under tests[] ({name, command}) in .dynaforge/config.yaml, or leave out --verify', { field: '--verify', file: '.dynaforge/config.yaml' });
    return { kind: 'none-declared' };
  }
  if (!only.length) return { kind: 'run', tests };
  const unknown = only.filter((n) => !tests.some((t) => t.name === n));
  if (unknown.length) {
    throw new DfError('usage', `--verify ${unknown.join(', ')}: no such test in .dynaforge/config.yaml`, `use one of: ${tests.map((t) => t.name).join(', ')}`, { field: '--verify', file: '.dynaforge/config.yaml' });
  }
  return { kind: 'run', tests: tests.filter((t) => only.includes(t.name)) };
}

/** A command verifies the work when it exits 0 in time and its report (if any) counts no failure. */
export function commandPassed(r: CommandResult): boolean {
  return r.exit === 0 && !r.timed_out && (r.counts?.failed ?? 0) === 0;
}

export interface VerificationOutcome {
  /** What evidence records; meaningful only when nothing `failed` (a failed task gets a concern, not evidence). */
  readonly verification: TaskVerification;
  /** The runs, output tails included (the tails go into a concern, not into evidence). */
  readonly results: readonly CommandResult[];
  readonly failed: readonly CommandResult[];
}

/** Runs the planned commands one after the other (all of them: every failure is worth seeing), from the project root. */
export async function runVerification(root: string, plan: VerificationPlan, run: typeof runCommand = runCommand): Promise<VerificationOutcome> {
  if (plan.kind !== 'run') return { verification: { status: plan.kind === 'skipped' ? 'skipped' : 'unverified', commands: [] }, results: [], failed: [] };
  const results: CommandResult[] = [];
  for (const t of plan.tests) {
    results.push(await run(root, { name: t.name, command: t.command, cwd: t.cwd, timeout_s: t.timeout_s, ...(t.junit !== undefined ? { junit: t.junit } : {}), ...(t.tap !== undefined ? { tap: t.tap } : {}) }));
  }
  const failed = results.filter((r) => !commandPassed(r));
  return {
    verification: {
      status: 'passed',
      commands: results.map((r) => ({ name: r.name, command: r.command, exit: r.exit, timed_out: r.timed_out, duration_ms: r.duration_ms, ...(r.counts ? { counts: { ...r.counts } } : {}) })),
    },
    results,
    failed,
  };
}

/** `unit (exit 1)`, `e2e (timed out after 600s)`, `api (2 failed tests)`. */
export function describeFailure(r: CommandResult, timeoutS?: number): string {
  if (r.timed_out) return `${r.name} (timed out${timeoutS ? ` after ${timeoutS}s` : ''})`;
  if (r.exit === null) return `${r.name} (killed by ${r.signal ?? 'a signal'})`;
  if (r.exit !== 0) return `${r.name} (exit ${r.exit})`;
  return `${r.name} (${r.counts?.failed ?? 0} failed test${r.counts?.failed === 1 ? '' : 's'} in its report)`;
}
