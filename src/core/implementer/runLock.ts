import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { DfError, errnoCode } from '../errors';
import type { Layout } from '../repo/layout';

/** A holder killed without a chance to release leaves a lock that expires after this long. */
const STALE_MS = 30_000;

/**
 * One Implementer run per change at a time, across processes: the lock is tried once, never
 * waited for, and held for the whole run (its mtime refreshed while the run lives).
 */
export async function withRunLock<T>(layout: Layout, chId: string, fn: () => Promise<T>): Promise<T> {
  const path = join(layout.lockDir, 'implement', chId);
  mkdirSync(dirname(path), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, { realpath: false, stale: STALE_MS, update: STALE_MS / 6, retries: 0, onCompromised: () => undefined });
  } catch (e) {
    if (errnoCode(e) === 'ELOCKED') {
      throw new DfError(
        'conflict',
        `another \`dynaforge implement\` of ${chId} is running (one run per change at a time)`,
        `wait for it to finish or stop it (Ctrl-C marks it aborted; \`dynaforge implement resume ${chId}\` continues it). If no dynaforge process is running, the lock (.dynaforge/state/locks/implement/${chId}.lock) expires within ${STALE_MS / 1000} s`,
        { file: `.dynaforge/state/locks/implement/${chId}.lock` },
      );
    }
    throw e;
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
