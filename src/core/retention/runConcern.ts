import { join } from 'node:path';
import { prettyJson } from '../canonical';
import { concernsOf, raiseConcern, type Concern, type Severity } from '../concerns/concerns';
import { DfError } from '../errors';
import { writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import type { Actor } from '../schema/audit';
import { RUN_FILE, RunSchema, type Run } from '../schema/run';
import { retentionLock, type RetentionApplyWorkspace } from './apply';
import { assertRunFolder, parseRunRef, readRunJson, type RunRef } from './runFolders';

export interface RunConcernInput {
  readonly summary: string;
  readonly actor: Actor;
  readonly correlationId: string;
  /** Default `medium`. */
  readonly severity?: Severity;
  /** Who found it; default `implementer`. */
  readonly source?: string;
  /** Evidence after the run folder: what outlives it (`tasks.md#T-003`, the files the run changed). */
  readonly evidence?: readonly string[];
}

export interface RunConcernResult {
  readonly concern: Concern;
  /** `CH-012/C-3`, as written to run.json `concern`. */
  readonly ref: string;
  readonly run: Run;
  /** False when run.json already named a concern that exists: nothing was raised or written. */
  readonly raised: boolean;
}

/**
 * Raises the concern about a failed (or aborted) run and links both ways: the concern's
 * evidence lists the run folder (then `evidence`), and run.json `concern` names the concern
 * (written atomically, under the retention lock so an `apply` never deletes the run
 * half-way). The Implementer calls it after writing the run's final status. A run already
 * linked to an existing concern keeps it: calling twice raises one concern.
 */
export async function raiseRunConcern(ws: RetentionApplyWorkspace, run: string, input: RunConcernInput): Promise<RunConcernResult> {
  return withRunJson(ws, run, async (current, link, ref) => {
    // run.json is read from disk: only a well-formed `CH-###/C-n` is looked up (it names an audit stream).
    const linked = /^(CH-\d{3,})\/(C-\d+)$/.exec(current.concern ?? '');
    if (linked) {
      const existing = concernsOf(ws.audit, linked[1] as string).find((c) => c.id === linked[2]);
      if (existing) return { concern: existing, ref: linked[0], run: current, raised: false };
    }
    const concern = await raiseConcern({ layout: ws.layout, audit: ws.audit, actor: input.actor, correlationId: input.correlationId }, ref.ch_id, {
      severity: input.severity ?? 'medium',
      source: input.source ?? 'implementer',
      summary: input.summary,
      evidence: [ref.path, ...(input.evidence ?? [])],
    });
    const concernRef = `${concern.ch_id}/${concern.id}`;
    return { concern, ref: concernRef, run: link(concernRef), raised: true };
  });
}

/**
 * Links a failed run to a concern already raised about it (`CH-012/C-3`, e.g. the one a
 * blocked task raised, whose evidence lists the run folder): run.json `concern` names it,
 * written the same way as raiseRunConcern writes it. Returns run.json as written.
 */
export async function linkRunConcern(ws: RetentionApplyWorkspace, run: string, concernRef: string): Promise<Run> {
  return withRunJson(ws, run, async (_current, link) => link(concernRef));
}

/**
 * Runs `fn` on a run's run.json under the retention lock; `link` writes it back atomically
 * with `concern` set, every other field as it was. A run.json that cannot be read is an error.
 */
async function withRunJson<T>(ws: RetentionApplyWorkspace, run: string, fn: (current: Run, link: (concernRef: string) => Run, ref: RunRef) => Promise<T>): Promise<T> {
  const ref = parseRunRef(run);
  return withLock(retentionLock(ws.layout), async () => {
    const abs = assertRunFolder(ws.layout.root, ref.path);
    const file = `${ref.path}/${RUN_FILE}`;
    const json = readRunJson(abs, ref);
    if (!('run' in json)) throw new DfError('invalid-schema', `cannot link a concern to ${ref.ref}: ${json.problem}`, `the Implementer writes ${file}; fix it, or raise the concern by hand with \`dynaforge concern raise --evidence ${ref.path}\``, { file });
    const link = (concernRef: string): Run => {
      const updated = RunSchema.parse({ ...json.run, concern: concernRef });
      writeFileAtomicSync(join(abs, RUN_FILE), prettyJson(updated), file);
      return updated;
    };
    return fn(json.run, link, ref);
  }, '.dynaforge/state/locks/retention');
}
