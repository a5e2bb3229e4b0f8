import { sha256 } from '../canonical';
import { commitsWithClaims } from '../capture/trailers';
import { concernsOf, raiseConcern, type Concern, type ConcernContext } from '../concerns/concerns';
import { DfError } from '../errors';
import { EMPTY_TREE, type GitHistory } from '../repo/gitHistory';
import type { EvidenceFile, TaskDiffEvidence, TaskVerification } from '../schema/evidence';
import type { CommandResult } from '../tester/runner';
import { resolveTaskConcerns, TASK_CONCERN_SOURCE } from './taskConcerns';
import { recordTaskEvidence } from './taskEvidence';
import { findTask, readTasksDoc, withTaskState, type TaskEntry, type TasksDoc } from './taskFile';
import { readTaskState, writeTaskState, type StartedTask } from './taskState';
import { event, requireGit, requireOpen, withTaskLock, writeTasks, type TaskContext } from './taskWork';
import { describeFailure, planVerification, runVerification } from './verification';
import { diffTrees, hasTree, RECORD_PATHS, snapshotWorkingTree, type TreeSnapshot } from './workingTree';

/** How much of a failed command's output a concern quotes. */
const TAIL_LINES = 20;
const TAIL_CHARS = 2000;

export interface DoneOptions {
  /** Run only these declared tests (default: all of config.yaml `tests[]`). */
  readonly verify?: readonly string[];
  /** Skip verification, explicitly (recorded as `skipped`). */
  readonly noVerify?: boolean;
}

export type BlockReason = 'no-changes' | 'verification-failed' | 'unverified';

/** A command that did not verify the task, with the end of its output. */
export interface FailedCommand {
  readonly name: string;
  readonly command: string;
  readonly exit: number | null;
  readonly signal?: string;
  readonly timed_out: boolean;
  readonly output_tail: string;
}

export type DoneResult =
  | {
      readonly outcome: 'done';
      readonly change: string;
      readonly task: string;
      readonly file: string;
      readonly evidence: TaskDiffEvidence;
      readonly evidence_ref: string;
      /** Concerns that said this task was not done (a refused `task done`, a blocked Implementer task), resolved now. */
      readonly resolved_concerns: string[];
      readonly warnings: string[];
    }
  | {
      readonly outcome: 'blocked';
      readonly change: string;
      readonly task: string;
      readonly reason: BlockReason;
      readonly concern: Concern;
      /** What changed since the task started (empty for `no-changes`). */
      readonly files: EvidenceFile[];
      readonly failed: FailedCommand[];
    };

/**
 * `task done`: the task is done only with evidence. Diffs the working copy against the
 * baseline of `task start` (the tool's records left out), runs the declared verification,
 * and only when files changed and verification passed (or, for a low or medium risk change,
 * no test is declared; or `--no-verify` was given) appends a `task-diff` entry to
 * evidence.json and marks the task done with a link to it. Otherwise the task stays doing
 * and a concern says why (the command, its exit code and the end of its output).
 */
export async function finishTask(ctx: TaskContext, chId: string, taskId: string, opts: DoneOptions = {}): Promise<DoneResult> {
  const { ws } = ctx;
  const change = ws.store.read(chId);
  requireOpen(change);
  const h = requireGit(ws, 'task done');
  const plan = planVerification(ws.config.tests, { ...(opts.verify ? { only: opts.verify } : {}), ...(opts.noVerify ? { noVerify: true } : {}) });
  const doc = readTasksDoc(ws.layout, chId);
  const task = findTask(doc, taskId);
  const state = readTaskState(ws.layout, chId);
  const started = state.tasks[taskId];
  if (!started) throw notStarted(doc, task);
  if (task.state !== 'doing') throw notDoing(doc, task);
  if (!(await hasTree(h, started.baseline))) {
    throw new DfError('git', `the baseline of ${taskId} (tree ${started.baseline.slice(0, 12)}, taken ${started.started_at}) is no longer in the repository; \`git gc\` prunes unreferenced objects after two weeks`, `start over: \`dynaforge task stop ${taskId}\` then \`dynaforge task start ${taskId}\` (the diff then counts from now)`);
  }
  const now = await snapshotWorkingTree(h);
  const diff = await diffTrees(h, started.baseline, now.tree);
  const alongside = Object.keys(state.tasks).filter((id) => id !== taskId).sort();
  const base = { change: chId, task: taskId } as const;

  if (!diff.files.length) {
    const summary = `${taskId} is not done: no file changed since \`task start\` (${started.started_at}); the tool's own records (${RECORD_PATHS.map((p) => (p.includes('.md') ? p : `${p}/`)).join(', ')}) do not count, nor do files git ignores`;
    return block(ctx, { ...base, started, reason: 'no-changes', summary, files: [], failed: [] });
  }
  const risky = change.risk_tier === 'high' || change.risk_tier === 'critical';
  if (plan.kind === 'none-declared' && risky) {
    const summary = `${taskId} is not done: nothing can verify it — ${chId} is ${change.risk_tier} risk and .dynaforge/config.yaml declares no tests[]; declare one, or finish with --no-verify to record that it was not verified`;
    return block(ctx, { ...base, started, reason: 'unverified', summary, files: diff.files, failed: [] });
  }
  const outcome = await runVerification(ws.layout.root, plan);
  if (outcome.failed.length) {
    const failed = outcome.failed.map(failedCommand);
    const timeouts = new Map(ws.config.tests.map((t) => [t.name, t.timeout_s]));
    const first = outcome.failed[0] as CommandResult;
    const summary = `${taskId} is not done: verification failed: ${outcome.failed.map((r) => describeFailure(r, timeouts.get(r.name))).join(', ')}.\nLast lines of ${first.name} (\`${first.command}\`):\n${tailOf(first.output_tail)}`;
    return block(ctx, { ...base, started, reason: 'verification-failed', summary, files: diff.files, failed });
  }

  const commits = await commitsMeanwhile(h, started, now);
  return withTaskLock(ws.layout, chId, async () => {
    // The tests ran without the lock: make sure nobody finished, stopped or restarted the task meanwhile.
    const fresh = readTasksDoc(ws.layout, chId);
    const freshState = readTaskState(ws.layout, chId);
    const current = findTask(fresh, taskId);
    if (freshState.tasks[taskId]?.baseline !== started.baseline || current.state !== 'doing') {
      throw new DfError('conflict', `${taskId} changed while it was being verified (it is now ${current.state}${freshState.tasks[taskId] ? '' : ', not started here'})`, '`dynaforge task list` shows where it stands; run `task done` again if it is still in progress', { file: fresh.file, line: current.line });
    }
    const { entry, ref, changeUpdated } = await recordTaskEvidence<TaskDiffEvidence>(ws, chId, {
      kind: 'task-diff',
      captured_at: ws.clock.nowIso(),
      task: taskId,
      source: { kind: 'task', started_at: started.started_at, baseline: started.baseline, tree: now.tree, ...(started.head ? { head_at_start: started.head } : {}), base: now.head ?? EMPTY_TREE },
      diff_sha256: diff.sha256,
      diff_bytes: diff.bytes,
      commits: commits.map((c) => ({ sha: c.sha, subject: c.subject, claimed_by: c.claimed_by })),
      files: diff.files,
      ...(alongside.length ? { parallel_with: alongside } : {}),
      verification: outcome.verification,
    });
    const text = withTaskState(fresh, taskId, 'done', ref);
    writeTasks(ws.layout, chId, text);
    const rest = { ...freshState.tasks };
    delete rest[taskId];
    writeTaskState(ws.layout, { ...freshState, tasks: rest });
    await ws.audit.appendMany([
      event(ctx, chId, 'change.updated', changeUpdated),
      event(ctx, chId, 'task.completed', {
        task: taskId,
        evidence: ref,
        file: fresh.file,
        hash: sha256(text),
        baseline: started.baseline,
        tree: now.tree,
        files: diff.files.length,
        diff_sha256: diff.sha256,
        verification: outcome.verification.status,
        commands: outcome.verification.commands.map((c) => ({ name: c.name, exit: c.exit, timed_out: c.timed_out })),
      }),
    ]);
    const done = new Set([taskId, ...fresh.tasks.filter((t) => t.state === 'done').map((t) => t.id)]);
    const resolved = await resolveTaskConcerns(concernContext(ctx), chId, taskId, done, `${taskId} done with ${ref}`);
    return { outcome: 'done', ...base, file: fresh.file, evidence: entry, evidence_ref: ref, resolved_concerns: resolved, warnings: warningsFor(taskId, outcome.verification, alongside) };
  });
}

function warningsFor(taskId: string, v: TaskVerification, alongside: readonly string[]): string[] {
  const out: string[] = [];
  if (v.status === 'unverified') out.push(`nothing verified ${taskId}: .dynaforge/config.yaml declares no tests[]; the evidence records it as unverified`);
  if (v.status === 'skipped') out.push(`verification skipped (--no-verify): nothing checked ${taskId}; the evidence records it as skipped`);
  if (alongside.length) out.push(`${alongside.join(', ')} ${alongside.length === 1 ? 'was' : 'were'} in progress alongside: ${alongside.length === 1 ? 'its' : 'their'} edits may be in this diff too (recorded as parallel_with)`);
  return out;
}

interface BlockInput {
  readonly change: string;
  readonly task: string;
  readonly started: StartedTask;
  readonly reason: BlockReason;
  readonly summary: string;
  readonly files: EvidenceFile[];
  readonly failed: FailedCommand[];
}

/** The task stays doing: a concern says why (one still open with the same words is reused), and `task.blocked` records it. */
async function block(ctx: TaskContext, b: BlockInput): Promise<DoneResult> {
  const { ws } = ctx;
  const cc = concernContext(ctx);
  const existing = concernsOf(ws.audit, b.change).find((c) => c.status !== 'resolved' && c.source === TASK_CONCERN_SOURCE && c.summary === b.summary);
  const concern = existing ?? (await raiseConcern(cc, b.change, { severity: 'medium', source: TASK_CONCERN_SOURCE, summary: b.summary, evidence: [`tasks.md#${b.task}`] }));
  await ws.audit.append(
    event(ctx, b.change, 'task.blocked', {
      task: b.task,
      reason: b.reason,
      concern_id: concern.id,
      baseline: b.started.baseline,
      files: b.files.length,
      failed: b.failed.map((f) => ({ name: f.name, exit: f.exit, timed_out: f.timed_out })),
    }),
  );
  return { outcome: 'blocked', change: b.change, task: b.task, reason: b.reason, concern, files: b.files, failed: b.failed };
}

function concernContext(ctx: TaskContext): ConcernContext {
  return { layout: ctx.ws.layout, audit: ctx.ws.audit, actor: ctx.actor, correlationId: ctx.correlationId };
}

/** Commits made while the task was in progress (HEAD then to HEAD now), with their `Change:` claims. */
async function commitsMeanwhile(h: GitHistory, started: StartedTask, now: TreeSnapshot): Promise<Awaited<ReturnType<typeof commitsWithClaims>>> {
  if (!now.head || now.head === started.head) return [];
  return commitsWithClaims(h, started.head, now.head);
}

function failedCommand(r: CommandResult): FailedCommand {
  return { name: r.name, command: r.command, exit: r.exit, ...(r.signal ? { signal: r.signal } : {}), timed_out: r.timed_out, output_tail: r.output_tail };
}

/** The last lines of a command's output, as a concern quotes them. */
export function tailOf(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  let text = lines.slice(-TAIL_LINES).join('\n');
  if (text.length > TAIL_CHARS) text = `…${text.slice(-TAIL_CHARS)}`;
  return text || '(no output)';
}

function notStarted(doc: TasksDoc, task: TaskEntry): DfError {
  if (task.state === 'done') return new DfError('conflict', `${task.id} is already done${task.evidence ? ` (evidence: ${task.evidence})` : ''}`, 'nothing to do; `dynaforge task next` shows what is ready', { file: doc.file, line: task.line });
  const where = task.state === 'doing' ? `${doc.file} marks it doing, but it was not started in this working copy (no baseline here to diff against)` : `it is ${task.state}`;
  return new DfError('conflict', `${task.id} was not started with \`dynaforge task start\`: ${where}`, `run \`dynaforge task start ${task.id}\`, do the work, then \`dynaforge task done ${task.id}\` (only what changes after the start counts)`, { file: doc.file, line: task.line });
}

function notDoing(doc: TasksDoc, task: TaskEntry): DfError {
  return new DfError('conflict', `${task.id} was started here, but ${doc.file}:${task.line} now says it is ${task.state}`, `set its box back to [~] to finish it, or forget the start with \`dynaforge task stop ${task.id}\``, { file: doc.file, line: task.line });
}
