import type { Config } from '../schema/config';
import { runCommand, type CommandResult, type CommandSpec } from './runner';

export interface TesterOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /** Told as each command starts and ends (a face shows progress). */
  readonly onStart?: (spec: CommandSpec) => void;
  readonly onResult?: (result: CommandResult) => void;
}

/** The declared commands, one after the other in the order config.yaml lists them: tests that share files must not race. */
export async function runTests(root: string, tests: Config['tests'], opts: TesterOptions = {}): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (const t of tests) {
    const spec: CommandSpec = { name: t.name, command: t.command, cwd: t.cwd, timeout_s: t.timeout_s, ...(t.junit ? { junit: t.junit } : {}), ...(t.tap ? { tap: t.tap } : {}) };
    opts.onStart?.(spec);
    const r = await runCommand(root, spec, { ...(opts.env ? { env: opts.env } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.now ? { now: opts.now } : {}) });
    results.push(r);
    opts.onResult?.(r);
    if (opts.signal?.aborted) break;
  }
  return results;
}
