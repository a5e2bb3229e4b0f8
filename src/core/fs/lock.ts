import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { DfError, errnoCode } from '../errors';

/**
 * Cross-process mutual exclusion around `fn`, keyed by `lockPath` (a `<lockPath>.lock`
 * folder is created beside it). Works between editor windows, CLIs and CI jobs on one
 * machine. A holder killed with -9 leaves a lock that goes stale after `STALE_MS`.
 */
const STALE_MS = 4_000;

export async function withLock<T>(lockPath: string, fn: () => Promise<T> | T, what = lockPath, opts: { readonly wait?: boolean } = {}): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockPath, {
      realpath: false,
      stale: STALE_MS,
      update: 1_000,
      // `wait: false`: fail at once when held (a long-running owner, e.g. the agent loop of a change).
      retries: opts.wait === false ? 0 : { retries: 400, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
    });
  } catch (e) {
    if (errnoCode(e) === 'ELOCKED') {
      throw new DfError('lock-timeout', `timed out waiting for the lock on ${what}`, `another dynaforge process holds it; retry, or remove ${lockPath}.lock if no dynaforge process is running`, { file: what });
    }
    throw e;
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
