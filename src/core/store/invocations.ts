import { join } from 'node:path';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import type { Layout } from '../repo/layout';

/**
 * Counts the commands run in this working copy (gitignored state). Replayable runs salt their
 * seeded ids with it, so the same command run twice gets two correlation ids, while a replay
 * of the same sequence in a fresh repository gets the same ones.
 */
export async function nextInvocation(layout: Layout): Promise<number> {
  const file = join(layout.stateDir, 'invocations');
  return withLock(file, () => {
    const n = Number.parseInt(readTextIfExists(file) ?? '0', 10);
    const next = (Number.isSafeInteger(n) && n >= 0 ? n : 0) + 1;
    writeFileAtomicSync(file, `${next}\n`, '.dynaforge/state/invocations');
    return next;
  });
}
