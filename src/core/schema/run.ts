import { z } from 'zod';
import { ChangeIdSchema } from './ids';

const IsoTime = z.iso.datetime({ message: 'expected an ISO-8601 UTC time like 2026-11-21T09:00:00.000Z' });

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'aborted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * `artifacts/work/CH-###/run-N/run.json`: one Implementer run (ephemeral, gitignored). The
 * Implementer writes it; retention reads it to decide what to delete; a `.retain` file beside
 * it keeps the run whatever its age.
 */
export const RunSchema = z.strictObject({
  version: z.literal(1),
  run_id: z.string().min(1),
  ch_id: ChangeIdSchema,
  /** N of run-N: 1, 2, … per change. */
  n: z.number().int().positive(),
  status: z.enum(RUN_STATUSES),
  seed: z.number().int(),
  /** The model's description (ModelPort.description), never a secret. */
  model: z.string(),
  started: IsoTime,
  finished: IsoTime.optional(),
  max_steps: z.number().int().positive(),
  steps_done: z.number().int().nonnegative(),
  /** sha256 of the canonical JSON task list: same seed + same model answers ⇒ same hash. */
  tasks_hash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** The concern raised about a failed run (`CH-###/C-n`). */
  concern: z.string().optional(),
});
export type Run = z.infer<typeof RunSchema>;

export const RUNS_DIR = 'artifacts/work';
export const RUN_FILE = 'run.json';
export const RETAIN_MARKER = '.retain';
