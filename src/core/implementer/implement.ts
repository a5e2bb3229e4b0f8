import { DfError } from '../errors';
import { setRetained } from '../retention/retain';
import type { Change } from '../schema/change';
import type { Run } from '../schema/run';
import type { Workspace } from '../workspace';
import { scopeMatcher } from './confine';
import { FileTracker } from './fileTracker';
import { IMPLEMENTER_ACTOR, RunLoop, type LoopDeps, type RunPlan } from './loop';
import { planContext, type PlanContext } from './prompts';
import { RunFolder, runsRel } from './runFolder';
import { initialState, PlanAnswerSchema, TasksFileSchema, type Refused, type RunTask, type TaskState } from './runState';
import { renderSummary, SUMMARY_FILE, type ChangedFile } from './summary';
import { openTaskIds, tasksMdRel } from './tasksMd';
import { repoFiles } from './tools/repoFiles';
import { withRunLock } from './runLock';

export const DEFAULT_MAX_STEPS = 50;
export const DEFAULT_SEED = 0;
/** How many in-scope files the prompts list. */
const SCOPE_FILES = 200;

export interface StartOptions {
  readonly chId: string;
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly retain?: boolean;
}

/** What a run did, for the faces. */
export interface RunReport {
  readonly run: Run;
  /** The run folder, repository-relative. */
  readonly folder: string;
  readonly tasks: readonly RunTask[];
  readonly states: readonly TaskState[];
  /** Code and test files the run changed (not its bookkeeping: tasks.md, CHANGE_SUMMARY.md). */
  readonly files: readonly ChangedFile[];
  /** changes/CH-###/CHANGE_SUMMARY.md, when the run succeeded. */
  readonly summary?: string;
  /** tasks.md ids marked done. */
  readonly tasks_md_done: readonly string[];
  readonly refused: readonly Refused[];
  /** `CH-###/C-n` raised by the run (this invocation and earlier ones). */
  readonly concerns: readonly string[];
  readonly why?: string;
}

export function checkReady(deps: LoopDeps, chId: string): Change {
  const change = deps.ws.store.read(chId);
  if (change.status !== 'open') throw new DfError('conflict', `${chId} is ${change.status}: there is nothing to implement`, 'implement an open change (see `dynaforge list`)', { file: `changes/${chId}/change.yaml`, field: 'status' });
  if (deps.model.provider === 'none') {
    throw new DfError(
      'usage',
      'implement needs a language model, and model.provider is none',
      `configure one in .dynaforge/config.yaml (model.provider openai-compatible with model.url and model.model, or scripted with model.cassette), or work the tasks by hand with \`dynaforge task start\` / \`dynaforge task done\``,
      { file: '.dynaforge/config.yaml', field: 'model.provider' },
    );
  }
  return change;
}

async function scopeFiles(ws: Workspace, change: Change): Promise<string[]> {
  const inScope = scopeMatcher(change.scope.paths);
  return (await repoFiles(ws.layout.root, '.', undefined, 50_000)).files.filter(inScope).slice(0, SCOPE_FILES);
}

export async function contextFor(ws: Workspace, change: Change): Promise<PlanContext> {
  return planContext(ws.layout, change, ws.config.tests, await scopeFiles(ws, change), openTaskIds(ws.layout, change.id));
}

export function positive(n: number | undefined, fallback: number, flag: string): number {
  const v = n ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new DfError('usage', `${flag} must be a whole number of at least 1 (got ${String(n)})`, `e.g. ${flag} ${DEFAULT_MAX_STEPS}`, { field: flag });
  return v;
}

/** `implement CH-###`: a new run-N, planned and executed within the step budget. */
export async function startRun(deps: LoopDeps, opts: StartOptions): Promise<RunReport> {
  const { ws } = deps;
  const change = checkReady(deps, opts.chId);
  const maxSteps = positive(opts.maxSteps, DEFAULT_MAX_STEPS, '--max-steps');
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new DfError('usage', `--seed must be a whole number (got ${String(opts.seed)})`, 'e.g. --seed 7', { field: '--seed' });
  return withRunLock(ws.layout, change.id, async () => {
    const folder = RunFolder.allocate(ws.layout.root, change.id);
    const run: Run = { version: 1, run_id: deps.ws.ids.next('run'), ch_id: change.id, n: folder.n, status: 'running', seed, model: deps.model.description, started: ws.clock.nowIso(), max_steps: maxSteps, steps_done: 0 };
    const state = initialState();
    folder.writeState(state);
    folder.writeRun(run);
    if (opts.retain) await setRetained(ws, folder.rel, { actor: IMPLEMENTER_ACTOR, correlationId: deps.correlationId });
    const loop = new RunLoop(deps, folder, run, state, new FileTracker(folder, deps.writer), await contextFor(ws, change), undefined, () => scopeFiles(ws, change));
    deps.onEvent?.({ kind: 'run-started', run_id: run.run_id, n: run.n, folder: folder.rel, resumed: false, model: run.model, seed, max_steps: maxSteps });
    return finish(loop, change);
  });
}

/** `implement resume`: the newest run continues after its last finished step. */
export async function resumeRun(deps: LoopDeps, opts: { chId: string; maxSteps?: number }): Promise<RunReport> {
  const { ws } = deps;
  const change = checkReady(deps, opts.chId);
  return withRunLock(ws.layout, change.id, async () => {
    const folder = latestRun(ws, change.id);
    const run = folder.readRun();
    const state = folder.readState();
    const again = `start a new run with \`dynaforge implement ${change.id}\``;
    if (state.restored) throw new DfError('conflict', `${folder.rel} was aborted and its files restored: it cannot be resumed`, again, { file: folder.fileRel('run.json') });
    if (run.status === 'succeeded') throw new DfError('conflict', `${folder.rel} has already succeeded: nothing to resume`, again, { file: folder.fileRel('run.json') });
    if (state.phase === 'execute' && !state.tasks.some((t) => t.status === 'pending' || t.status === 'running')) {
      throw new DfError('conflict', `${folder.rel} has no task left to do (${state.tasks.filter((t) => t.status === 'blocked').map((t) => t.id).join(', ')} blocked: see their concerns)`, again, { file: folder.fileRel('state.json') });
    }
    if (opts.maxSteps !== undefined) {
      const k = positive(opts.maxSteps, DEFAULT_MAX_STEPS, '--max-steps');
      if (k <= run.steps_done) throw new DfError('usage', `--max-steps ${k} is not more than the ${run.steps_done} steps ${folder.rel} has taken`, `give more, e.g. --max-steps ${run.steps_done + DEFAULT_MAX_STEPS}`, { field: '--max-steps' });
      run.max_steps = k;
    } else if (run.steps_done >= run.max_steps) {
      throw new DfError('usage', `the step budget of ${folder.rel} (${run.max_steps}) is spent`, `resume with a larger budget, e.g. \`dynaforge implement resume ${change.id} --max-steps ${run.max_steps + DEFAULT_MAX_STEPS}\``, { field: '--max-steps' });
    }
    run.status = 'running';
    delete run.finished;
    // The concern that explained how it stopped stays in the audit log; how it ends now gets its own.
    delete run.concern;
    const plan = state.phase === 'plan' ? undefined : loadPlan(folder);
    const loop = new RunLoop(deps, folder, run, state, new FileTracker(folder, deps.writer), await contextFor(ws, change), plan, () => scopeFiles(ws, change));
    loop.save();
    deps.onEvent?.({ kind: 'run-started', run_id: run.run_id, n: run.n, folder: folder.rel, resumed: true, model: deps.model.description, seed: run.seed, max_steps: run.max_steps });
    return finish(loop, change);
  });
}

/** The change's newest run folder; none is an error saying how to start one. */
export function latestRun(ws: Workspace, chId: string): RunFolder {
  const folder = RunFolder.latest(ws.layout.root, chId);
  if (!folder) throw new DfError('not-found', `${chId} has no implementer run (nothing under ${runsRel(chId)}/)`, `start one with \`dynaforge implement ${chId}\``, { file: runsRel(chId) });
  return folder;
}

function loadPlan(folder: RunFolder): RunPlan {
  return {
    spec: folder.readJson('spec.json', PlanAnswerSchema.shape.spec),
    plan: folder.readJson('plan.json', PlanAnswerSchema.shape.plan),
    tasks: folder.readJson('tasks.json', TasksFileSchema).tasks,
  };
}

/** Records how the loop ended: run.json, state.json and, on success, CHANGE_SUMMARY.md. */
async function finish(loop: RunLoop, change: Change): Promise<RunReport> {
  const outcome = await loop.execute();
  const { run, state, folder, tracker } = loop;
  run.status = outcome.status;
  run.finished = loop.now();
  const bookkeeping = [tasksMdRel(change.id), `changes/${change.id}/${SUMMARY_FILE}`];
  const files: ChangedFile[] = tracker.paths
    .filter((p) => !bookkeeping.includes(p))
    .map((p) => {
      const e = tracker.entry(p);
      return { path: p, action: e?.existed ? 'modified' : 'created', sha256: e?.post ?? '' };
    });
  let summary: string | undefined;
  if (outcome.status === 'succeeded' && loop.runPlan) {
    state.phase = 'finished';
    summary = `changes/${change.id}/${SUMMARY_FILE}`;
    await loop.write(summary, Buffer.from(renderSummary(change, run, loop.runPlan, state.tasks, files, folder.rel), 'utf8'), 'run', run.steps_done, false);
  }
  loop.save();
  if (outcome.status === 'failed') {
    // A failed run is referenced from the concern that explains it (retention keeps it while it does).
    await loop.referenceFailure(outcome);
    loop.save();
  }
  loop.emit({ kind: 'run-finished', status: run.status, ...(outcome.why ? { why: outcome.why } : {}) });
  if (outcome.error) throw outcome.error;
  const tasks = loop.runPlan?.tasks ?? [];
  return {
    run,
    folder: folder.rel,
    tasks,
    states: state.tasks,
    files,
    ...(summary ? { summary } : {}),
    tasks_md_done: state.tasks.flatMap((s) => (s.marked ? [s.marked] : [])),
    refused: state.refused,
    concerns: state.concerns.map((c) => `${change.id}/${c}`),
    ...(outcome.why ? { why: outcome.why } : {}),
  };
}
