import { collectStream, type ChatMessage } from '../model/modelPort';
import { confine } from './confine';
import { checkReady, contextFor, DEFAULT_MAX_STEPS, DEFAULT_SEED, positive } from './implement';
import type { LoopDeps } from './loop';
import { parsePlan, type ParsedPlan } from './plan';
import { planMessages, planRepair, planRequest } from './prompts';
import { runNumbers, runsRel } from './runFolder';
import type { RunTask } from './runState';
import { SUMMARY_FILE } from './summary';

/** A file a planned task expects to touch, and whether the model would be allowed to write it. */
export interface PlannedFile {
  readonly path: string;
  readonly writable: boolean;
  readonly refusal?: string;
}

export interface DryRunReport {
  readonly ch_id: string;
  readonly model: string;
  readonly seed: number;
  readonly max_steps: number;
  /** The folder a real run would create. */
  readonly would_create: string;
  readonly plan?: Pick<ParsedPlan, 'spec' | 'plan' | 'tasksHash' | 'notes'>;
  readonly tasks: readonly (Omit<RunTask, 'files' | 'verify'> & { files: PlannedFile[]; verify: { name: string; command: string }[] })[];
  /** What a real run would write besides code and tests. */
  readonly would_write: readonly string[];
  /** Why there is no plan (the model's answers did not validate). */
  readonly error?: string;
}

/**
 * `implement --dry-run`: asks the model for the plan exactly as a run would (same requests, so
 * one cassette serves both) and says what the run would do. Writes nothing at all: no run
 * folder, no audit event, no concern.
 */
export async function dryRun(deps: LoopDeps, opts: { chId: string; seed?: number; maxSteps?: number }): Promise<DryRunReport> {
  const change = checkReady(deps, opts.chId);
  const seed = opts.seed ?? DEFAULT_SEED;
  const maxSteps = positive(opts.maxSteps, DEFAULT_MAX_STEPS, '--max-steps');
  const ctx = await contextFor(deps.ws, change);
  const root = deps.ws.layout.root;
  const base = {
    ch_id: change.id,
    model: deps.model.description,
    seed,
    max_steps: maxSteps,
    would_create: `${runsRel(change.id)}/run-${(runNumbers(root, change.id).pop() ?? 0) + 1}`,
  };
  let messages: ChatMessage[] = planMessages(ctx);
  let error = '';
  for (let attempt = 1; attempt <= Math.min(2, maxSteps); attempt++) {
    deps.onEvent?.({ kind: 'step-started', step: attempt, phase: 'plan' });
    const answer = await collectStream(deps.model.stream(planRequest(messages, seed), deps.signal ? { signal: deps.signal } : {}), (e) => {
      if (e.kind === 'text') deps.onEvent?.({ kind: 'model-text', step: attempt, text: e.text });
    });
    const parsed = parsePlan(answer.text, ctx.tests.map((t) => t.name), ctx.openTasks);
    if (parsed.ok) {
      const p = parsed.plan;
      deps.onEvent?.({ kind: 'plan-ready', tasks: p.tasks, tasks_hash: p.tasksHash, notes: p.notes });
      const opts = { root, scope: change.scope.paths, chId: change.id };
      const linked = p.tasks.flatMap((t) => (t.tasks_md ? [t.tasks_md] : []));
      return {
        ...base,
        plan: { spec: p.spec, plan: p.plan, tasksHash: p.tasksHash, notes: p.notes },
        tasks: p.tasks.map((t) => ({
          ...t,
          files: t.files.map((f) => {
            const c = confine(opts, f, 'write');
            return c.ok ? { path: c.rel, writable: true } : { path: c.rel, writable: false, refusal: c.message };
          }),
          verify: (t.verify.length ? t.verify : ctx.tests.map((x) => x.name)).map((name) => ({ name, command: ctx.tests.find((x) => x.name === name)?.command ?? '' })),
        })),
        would_write: [`changes/${change.id}/${SUMMARY_FILE}`, ...(linked.length ? [`changes/${change.id}/tasks.md (${linked.join(', ')} marked done)`] : [])],
      };
    }
    error = parsed.error;
    deps.onEvent?.({ kind: 'plan-invalid', error, retry: attempt === 1 && maxSteps > 1 });
    messages = [...messages, { role: 'assistant', content: answer.text }, planRepair(error)];
  }
  return { ...base, tasks: [], would_write: [], error };
}
