import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRunJson, runRef } from '../retention/runFolders';
import { RETAIN_MARKER, type Run } from '../schema/run';
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
