import { InvalidArgumentError, type Command } from 'commander';
import { abortRun } from '../../core/implementer/abort';
import { resumeRun, startRun, type RunReport } from '../../core/implementer/implement';
import { dryRun, type DryRunReport } from '../../core/implementer/dryRun';
import type { ImplementerEvent } from '../../core/implementer/events';
import type { LoopDeps } from '../../core/implementer/loop';
import { commandVerifier } from '../../core/implementer/verifier';
import { createModel } from '../../core/model/createModel';
import type { Workspace } from '../../core/workspace';
import type { CliContext } from '../context';
import type { Runner } from '../program';

/** Exit code of a run cancelled with Ctrl-C (128 + SIGINT), as shells report it. */
const CANCELLED_EXIT = 130;

/** A commander option parser for whole numbers (`--seed`, `--max-steps`). */
export function whole(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/**
 * The Implementer's live narrative, one line per thing that happened (a plan: a few lines);
 * undefined for what is not told (the model's streamed text, step ends). Shared by
 * `implement` and `run`, so both tell a run the same way.
 */
export function describeImplementerEvent(e: ImplementerEvent): string | undefined {
  switch (e.kind) {
    case 'run-started':
      return `${e.resumed ? 'Resuming' : 'Implementing'} ${e.folder} (model ${e.model}, seed ${e.seed}, budget ${e.max_steps} steps)`;
    case 'step-started':
      return `[step ${e.step}] ${e.task ?? 'plan'}`;
    case 'plan-ready':
      return [`  plan: ${e.tasks.length} task(s), task list hash ${e.tasks_hash.slice(0, 12)}`, ...e.tasks.map((t) => `    ${t.id} ${t.title}${t.tasks_md ? ` (${t.tasks_md})` : ''}`), ...e.notes.map((n) => `    note: ${n}`)].join('\n');
    case 'plan-invalid':
      return `  the plan is malformed: ${e.error}${e.retry ? '; asking again' : ''}`;
    case 'tool':
      return `  ${e.ok ? '' : 'refused/failed: '}${e.name}: ${e.summary}`;
    case 'verification':
      return `  verification ${e.name}: ${e.passed ? 'passed' : e.timed_out ? 'timed out' : `failed (exit ${e.exit ?? 'killed'})`}`;
    case 'task':
      if (e.state === 'done') return `  ${e.task} done: changed ${e.files?.join(', ')}${e.resolved?.length ? `; resolved ${e.resolved.join(', ')}` : ''}`;
      return e.state === 'blocked' ? `  ${e.task} NOT done (${e.reason}); concern ${e.concern}` : undefined;
    case 'concern':
      return `  concern ${e.id}: ${e.summary}`;
    default:
      return undefined;
  }
}

/** Prints the narrative as it happens (not with --json: the JSON document is the output then). */
export function implementerNarrator(ctx: CliContext): ((e: ImplementerEvent) => void) | undefined {
  if (ctx.json) return undefined;
  return (e) => {
    const line = describeImplementerEvent(e);
    if (line !== undefined) ctx.io.out(line);
  };
}

function deps(ws: Workspace, ctx: CliContext, signal?: AbortSignal): LoopDeps {
  const narrate = implementerNarrator(ctx);
  return {
    ws,
    model: createModel(ws.config, ctx.env, { root: ws.layout.root, clock: ws.clock }),
    verifier: commandVerifier(ws.layout.root, ctx.env),
    correlationId: ctx.correlationId,
    ...(narrate ? { onEvent: narrate } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** Ctrl-C cancels the run (marked aborted, resumable); a second Ctrl-C is Node's default: exit at once. */
async function cancellable<T>(ctx: CliContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    ctx.io.err('dynaforge: cancelling; the run is marked aborted and can be resumed (press Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** How a run ended, after its narrative: `implement`, `implement resume` and `run` print it. */
export function runReportText(r: RunReport): string {
  const done = r.states.filter((s) => s.status === 'done').length;
  const lines = [`Run ${r.folder} ${r.run.status}: ${done} of ${r.tasks.length} task(s) done in ${r.run.steps_done} of ${r.run.max_steps} steps${r.why && r.run.status !== 'succeeded' ? ` (${r.why})` : ''}`];
  if (r.files.length) lines.push(`  files changed: ${r.files.map((f) => `${f.path} (${f.action})`).join(', ')}`);
  if (r.tasks_md_done.length) lines.push(`  tasks.md: ${r.tasks_md_done.join(', ')} marked done`);
  if (r.summary) lines.push(`  wrote ${r.summary}`);
  if (r.refused.length) lines.push(`  refused: ${r.refused.map((x) => `${x.path} (${x.reason})`).join(', ')}`);
  if (r.concerns.length) lines.push(`  concerns: ${r.concerns.join(', ')}`);
  if (r.run.status === 'aborted' || r.run.status === 'failed') lines.push(`  resume: dynaforge implement resume ${r.run.ch_id}; undo its changes: dynaforge implement abort ${r.run.ch_id}`);
  return lines.join('\n');
}

function dryRunText(r: DryRunReport): string {
  const lines = [`Dry run of ${r.ch_id}: nothing was written. Model ${r.model}, seed ${r.seed}, budget ${r.max_steps} steps.`];
  if (!r.plan) return [...lines, `No valid plan: ${r.error}`].join('\n');
  lines.push(`Spec: ${r.plan.spec.summary}`, 'Approach:', ...r.plan.plan.approach.map((a) => `  - ${a}`));
  lines.push(`Tasks (task list hash ${r.plan.tasksHash.slice(0, 12)}):`);
  for (const t of r.tasks) {
    lines.push(`  ${t.id} ${t.title}${t.tasks_md ? ` (would mark ${t.tasks_md} done in tasks.md)` : ''}`);
    if (t.files.length) lines.push(`    files: ${t.files.map((f) => (f.writable ? f.path : `${f.path} (would be refused: ${f.refusal})`)).join(', ')}`);
    lines.push(`    verify: ${t.verify.map((v) => `${v.name} (${v.command})`).join(', ') || 'nothing declared: the task could not be marked done'}`);
  }
  for (const n of r.plan.notes) lines.push(`  note: ${n}`);
  lines.push(`A run would create ${r.would_create}/ (spec, plan, tasks, state, transcript, pre-images), work task by task with the tools, and on success write ${r.would_write.join(' and ')}.`);
  return lines.join('\n');
}

function exitOf(r: RunReport): number {
  return r.run.status === 'succeeded' ? 0 : r.run.status === 'aborted' ? CANCELLED_EXIT : 1;
}

export function registerImplement(program: Command, run: Runner): void {
  const implement = program
    .command('implement')
    .description('run the Implementer on a change: an ephemeral spec, plan and task list in artifacts/work/CH-###/run-N/, then task by task with the configured model; a task is done only when it changed files and its verification passes')
    .argument('[id]', 'change id (default: the active change)')
    .option('--dry-run', 'ask for the plan and show what a run would do; write nothing')
    .option('--seed <n>', 'seed given to the model and recorded in run.json (default 0)', whole)
    .option('--max-steps <k>', 'step budget: requests to the model (default 50)', whole)
    .option('--retain', 'keep the run folder whatever the retention policy (.retain marker)')
    .action(run({ name: 'implement', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { dryRun?: boolean; seed?: number; maxSteps?: number; retain?: boolean }];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ctx.chId = chId;
      const common = { chId, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) };
      if (opts.dryRun) {
        const r = await dryRun(deps(ws, ctx), common);
        ctx.emit({ dry_run: r }, () => dryRunText(r));
        return r.plan ? 0 : 1;
      }
      const r = await cancellable(ctx, (signal) => startRun(deps(ws, ctx, signal), { ...common, ...(opts.retain ? { retain: true } : {}) }));
      ctx.emit(r, () => runReportText(r));
      return exitOf(r);
    }));

  implement
    .command('resume')
    .description('continue the newest run of a change after its last finished step')
    .argument('[id]', 'change id (default: the active change)')
    .option('--max-steps <k>', 'a new, larger step budget for the whole run', whole)
    .action(run({ name: 'implement resume', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { maxSteps?: number }];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ctx.chId = chId;
      const r = await cancellable(ctx, (signal) => resumeRun(deps(ws, ctx, signal), { chId, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) }));
      ctx.emit(r, () => runReportText(r));
      return exitOf(r);
    }));

  implement
    .command('abort')
    .description("undo the newest run of a change: every file it touched back to its pre-image (files it created deleted), files edited since kept; the evidence it recorded withdrawn; the run marked aborted")
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: 'implement abort', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given] = args as [string | undefined];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ctx.chId = chId;
      const r = await abortRun(ws, chId, { actor: ws.actor('user'), correlationId: ctx.correlationId });
      ctx.emit(r, () =>
        [
          `Aborted ${r.folder}: ${r.restored.length} file(s) restored, ${r.deleted.length} deleted`,
          ...r.restored.map((p) => `  restored ${p}`),
          ...r.deleted.map((p) => `  deleted ${p}`),
          ...r.kept.map((k) => `  kept ${k.path}: ${k.reason} (yours now; not overwritten)`),
          ...(r.unmarked.length ? [`  tasks.md: ${r.unmarked.join(', ')} no longer marked done (the rest of your edits kept)`] : []),
          ...(r.withdrawn.length ? [`  evidence withdrawn: ${r.withdrawn.join(', ')} (the work it records is undone; removed from change.yaml evidence[])`] : []),
        ].join('\n'),
      );
      return 0;
    }));
}
