import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors';
import { ioError } from '../fs/atomic';
import { readRunJson, runRef } from '../retention/runFolders';
import { CHANGE_ID_RE } from '../schema/ids';
import { RETAIN_MARKER, RUNS_DIR, type Run } from '../schema/run';
import { runNumbers } from './runFolder';

/** An Implementer run of a change as the faces list it: its record, or why that cannot be read. */
export interface RunSummary {
  readonly n: number;
  /** `artifacts/work/CH-###/run-N` (forward slashes, relative to the root). */
  readonly path: string;
  readonly run?: Run;
  readonly problem?: string;
  /** A `.retain` marker keeps it from cleanup. */
  readonly retained: boolean;
}

/**
 * The change's Implementer runs, newest first: run.json read and checked, nothing measured
 * (retention's scan sizes every file; a view listing runs needs none of that).
 */
export function listRuns(root: string, chId: string): RunSummary[] {
  return runNumbers(root, chId)
    .reverse()
    .map((n) => {
      const ref = runRef(chId, n);
      const abs = join(root, ref.path);
      return { n, path: ref.path, ...readRunJson(abs, ref), retained: existsSync(join(abs, RETAIN_MARKER)) };
    });
}

/**
 * The ids of the changes that have a runs folder (artifacts/work/CH-###), in one directory
 * read: a view of every change asks `listRuns` only for these.
 */
export function changesWithRuns(root: string): Set<string> {
  try {
    return new Set(readdirSync(join(root, RUNS_DIR)).filter((n) => CHANGE_ID_RE.test(n)));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return new Set();
    throw ioError('read', RUNS_DIR, e);
  }
}
