import type { Config } from '../schema/config';
import { runCommand } from '../tester/runner';
import type { Verification } from './runState';

/** One declared test command, run: what the loop needs of the Tester's runner. */
export type Verifier = (test: Config['tests'][number], signal?: AbortSignal) => Promise<Omit<Verification, 'after_writes'>>;

/**
 * The real verifier: config.yaml `tests[]` commands through the Tester's runner. The duration
 * is left out on purpose: it differs between runs, and what the model is shown must not.
 */
export function commandVerifier(root: string, env: NodeJS.ProcessEnv): Verifier {
  return async (test, signal) => {
    const r = await runCommand(root, test, { env, ...(signal ? { signal } : {}) });
    const passed = r.exit === 0 && !r.timed_out && (r.counts ? r.counts.failed === 0 : true);
    return { name: r.name, exit: r.exit, timed_out: r.timed_out, passed, ...(r.counts ? { counts: r.counts } : {}), output_tail: r.output_tail };
  };
}
