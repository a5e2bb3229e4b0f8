import { join } from 'node:path';
import { sha256 } from '../canonical';
import type { TaskProblem } from '../artifacts/tasksFormat';
import { DfError } from '../errors';
import { writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import { GitHistory } from '../repo/gitHistory';
import { changeDir, type Layout } from '../repo/layout';
import type { Actor, AuditEventInput } from '../schema/audit';
import type { Change } from '../schema/change';
import { parseChangeId } from '../store/changeIds';
import type { Workspace } from '../workspace';
import { findTask, readTasksDoc, tasksFile, withTaskState, type TaskEntry } from './taskFile';
import { describeUnmet, nextReady, unmetDeps, type UnmetDep } from './taskGraph';
import { changesWithStartedTasks, readTaskState, writeTaskState, type StartedTask } from './taskState';
import { snapshotWorkingTree } from './workingTree';

/** Who runs a task command, and the correlation id tying its events together. */
export interface TaskContext {
  readonly ws: Workspace;
  readonly actor: Actor;
  readonly correlationId: string;
}

/** A task as `task list` shows it: what holds it back, and whether it was started in this working copy. */
export interface TaskView extends TaskEntry {
  readonly blocked_by: UnmetDep[];
  readonly started?: StartedTask;
}

export interface TaskListing {
  readonly change: string;
  readonly file: string;
  readonly tasks: TaskView[];
  /** tasks.md lines that look like tasks but do not parse (kept as they are). */
  readonly problems: readonly TaskProblem[];
}

export function listTasks(ws: Workspace, chId: string): TaskListing {
  ws.store.read(chId); // an unknown change is an error of its own, before tasks.md
  const doc = readTasksDoc(ws.layout, chId);
  const state = readTaskState(ws.layout, chId);
  const tasks = doc.tasks.map((t): TaskView => ({ ...t, blocked_by: t.state === 'todo' || t.state === 'doing' ? unmetDeps(t, doc.tasks) : [], ...(state.tasks[t.id] ? { started: state.tasks[t.id] } : {}) }));
  return { change: chId, file: doc.file, tasks, problems: doc.problems };
}

export interface NextTask {
  readonly change: string;
  readonly file: string;
  /** The first todo task whose dependencies are done; absent when none is ready. */
  readonly next?: TaskView;
  readonly doing: TaskView[];
  /** Todo tasks still waiting for a dependency. */
  readonly waiting: TaskView[];
  readonly done: number;
  /** Tasks not dropped. */
  readonly total: number;
}

export function nextTask(ws: Workspace, chId: string): NextTask {
  const l = listTasks(ws, chId);
  const next = nextReady(l.tasks);
  const live = l.tasks.filter((t) => t.state !== 'dropped');
  return {
    change: chId,
    file: l.file,
    ...(next ? { next } : {}),
    doing: l.tasks.filter((t) => t.state === 'doing'),
    waiting: l.tasks.filter((t) => t.state === 'todo' && t.blocked_by.length > 0),
    done: live.filter((t) => t.state === 'done').length,
    total: live.length,
  };
}

/**
 * The change a task command is about: the one given, else the active one, else — for a task
 * already started — the one change in which this working copy started that task.
 */
export function resolveTaskChange(ws: Workspace, given: string | undefined, taskId?: string): string {
  if (given !== undefined) return parseChangeId(given);
  if (ws.activeChange() || !taskId) return ws.resolveChange(undefined);
  const holders = changesWithStartedTasks(ws.layout).filter((ch) => {
    try {
      return readTaskState(ws.layout, ch).tasks[taskId] !== undefined;
    } catch {
      return false;
    }
  });
  if (holders.length === 1) return holders[0] as string;
  const why = holders.length ? `${taskId} was started in ${holders.join(' and ')}` : 'none was given and none is active';
  throw new DfError('usage', `which change is ${taskId} of? ${why}`, 'name it with --change CH-012, or set one with `dynaforge use CH-012`', { field: '--change' });
}

export interface StartResult {
  readonly change: string;
  readonly task: TaskEntry;
  readonly started: StartedTask;
  readonly file: string;
  /** False when tasks.md already had the task as doing (started in another working copy, or state lost). */
  readonly marked: boolean;
  /** Other tasks in progress here, alongside (`--parallel`). */
  readonly alongside: string[];
}

/**
 * `task start`: refuses unknown, done and dropped tasks, tasks whose dependencies are not
 * done, and a second task in progress (unless it and every task in progress are [P] and
 * `parallel` is asked for); then records a baseline of the working copy in this working
 * copy's state and sets the task to doing in tasks.md (every other byte kept).
 */
export async function startTask(ctx: TaskContext, chId: string, taskId: string, opts: { parallel?: boolean } = {}): Promise<StartResult> {
  const { ws } = ctx;
  requireOpen(ws.store.read(chId));
  const h = requireGit(ws, 'task start');
  return withTaskLock(ws.layout, chId, async () => {
    const doc = readTasksDoc(ws.layout, chId);
    const task = findTask(doc, taskId);
    if (task.state === 'done') throw new DfError('conflict', `${taskId} is already done${task.evidence ? ` (evidence: ${task.evidence})` : ''}`, `a done task is not started again; add a new task to ${doc.file} for more work`, { file: doc.file, line: task.line });
    if (task.state === 'dropped') throw new DfError('conflict', `${taskId} is dropped`, `set its box back to [ ] in ${doc.file} if it is wanted after all, then start it`, { file: doc.file, line: task.line });
    const unmet = unmetDeps(task, doc.tasks);
    if (unmet.length) {
      const ready = nextReady(doc.tasks);
      throw new DfError('conflict', `${taskId} cannot start: it depends on ${describeUnmet(unmet)}, not done yet`, `finish ${unmet.length === 1 ? 'that task' : 'those tasks'} first${ready ? `; ${ready.id} is ready: dynaforge task start ${ready.id}` : ''}`, { file: doc.file, line: task.line });
    }
    const state = readTaskState(ws.layout, chId);
    const mine = state.tasks[taskId];
    if (mine) throw new DfError('conflict', `${taskId} is already in progress in this working copy (started ${mine.started_at})`, `finish it with \`dynaforge task done ${taskId}\`, or forget it with \`dynaforge task stop ${taskId}\``, { file: doc.file, line: task.line });
    const alongside = Object.keys(state.tasks).sort();
    if (alongside.length) {
      const notParallel = [taskId, ...alongside].filter((id) => !doc.tasks.find((t) => t.id === id)?.parallel);
      if (!opts.parallel || notParallel.length) {
        const why = opts.parallel ? `only tasks marked [P] run side by side, and ${notParallel.join(', ')} ${notParallel.length === 1 ? 'is' : 'are'} not` : 'one task at a time per change in a working copy';
        throw new DfError('conflict', `${alongside.join(', ')} ${alongside.length === 1 ? 'is' : 'are'} in progress for ${chId} in this working copy: ${why}`, `finish it with \`dynaforge task done ${alongside[0]}\` (or \`task stop\` it) first${opts.parallel ? '' : '; tasks marked [P] may run together with --parallel'}`, { file: doc.file, line: task.line });
      }
    }
    const snap = await snapshotWorkingTree(h);
    const started: StartedTask = { started_at: ws.clock.nowIso(), baseline: snap.tree, ...(snap.head ? { head: snap.head } : {}), by: ctx.actor.id, parallel: Boolean(opts.parallel) };
    const marked = task.state !== 'doing';
    const text = marked ? withTaskState(doc, taskId, 'doing') : doc.text;
    if (marked) writeTasks(ws.layout, chId, text);
    writeTaskState(ws.layout, { ...state, tasks: { ...state.tasks, [taskId]: started } });
    await ws.audit.append(event(ctx, chId, 'task.started', { task: taskId, file: doc.file, hash: sha256(text), baseline: snap.tree, ...(snap.head ? { head: snap.head } : {}), parallel: Boolean(opts.parallel) }));
    return { change: chId, task: { ...task, state: 'doing' }, started, file: doc.file, marked, alongside };
  });
}

export interface StopResult {
  readonly change: string;
  readonly task: string;
  readonly file: string;
  /** Whether tasks.md was set back to todo (false when it no longer said doing). */
  readonly reset: boolean;
}

/** `task stop`: the task back to todo and its baseline forgotten; the files are left as they are. */
export async function stopTask(ctx: TaskContext, chId: string, taskId: string): Promise<StopResult> {
  const { ws } = ctx;
  ws.store.read(chId);
  return withTaskLock(ws.layout, chId, async () => {
    const doc = readTasksDoc(ws.layout, chId);
    const task = findTask(doc, taskId);
    const state = readTaskState(ws.layout, chId);
    if (!state.tasks[taskId] && task.state !== 'doing') {
      throw new DfError('conflict', `${taskId} is not in progress (it is ${task.state})`, '`dynaforge task list` shows what is in progress', { file: doc.file, line: task.line });
    }
    const reset = task.state === 'doing';
    const text = reset ? withTaskState(doc, taskId, 'todo') : doc.text;
    if (reset) writeTasks(ws.layout, chId, text);
    const rest = { ...state.tasks };
    delete rest[taskId];
    writeTaskState(ws.layout, { ...state, tasks: rest });
    await ws.audit.append(event(ctx, chId, 'task.stopped', { task: taskId, file: doc.file, hash: sha256(text) }));
    return { change: chId, task: taskId, file: doc.file, reset };
  });
}

/** Read-modify-write of a change's tasks.md and task state happens under this lock. */
export function withTaskLock<T>(layout: Layout, chId: string, fn: () => Promise<T>): Promise<T> {
  return withLock(join(layout.lockDir, 'tasks', chId), fn, `changes/${chId}/tasks.md`);
}

export function writeTasks(layout: Layout, chId: string, text: string): void {
  writeFileAtomicSync(join(changeDir(layout, chId), 'tasks.md'), text, tasksFile(chId));
}

export function requireOpen(change: Change): void {
  if (change.status !== 'open') throw new DfError('conflict', `${change.id} is ${change.status}: its tasks are closed`, `work on an open change (\`dynaforge list\`), or open a new one with \`dynaforge new\``, { file: `changes/${change.id}/change.yaml`, field: 'status' });
}

export function requireGit(ws: Workspace, command: string): GitHistory {
  if (!ws.git.available) throw new DfError('git', `${command} needs git: ${ws.layout.root} is not inside a git repository, so there is no way to see what a task changed`, 'run `git init` (and commit), then retry');
  return new GitHistory(ws.layout.root);
}

export function event<T extends AuditEventInput['type']>(ctx: TaskContext, chId: string, type: T, payload: AuditEventInput<T>['payload']): AuditEventInput {
  return { type, ch_id: chId, actor: ctx.actor, correlation_id: ctx.correlationId, payload } as AuditEventInput;
}
