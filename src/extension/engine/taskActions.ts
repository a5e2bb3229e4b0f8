import { finishTask, type DoneResult } from '../../core/tasks/taskDone';
import { parseTaskId } from '../../core/tasks/taskFile';
import { resolveTaskChange, startTask, type StartResult, type TaskContext } from '../../core/tasks/taskWork';
import type { Services } from '../services';
import type { ActionContext, ActionResult, Via } from './actionRunner';

/** A task of a change; the change defaults to the active one (or the one the task was started in). */
export interface TaskRef {
  readonly task: string;
  readonly chId?: string;
}

export interface CompleteOptions {
  /** Run only these declared tests (`--verify`). */
  readonly verify?: readonly string[];
  /** Run no test (`--no-verify`): the evidence records that nothing verified the task. */
  readonly noVerify?: boolean;
}

async function taskContext(ctx: ActionContext): Promise<TaskContext> {
  const ws = await ctx.workspace();
  return { ws, actor: ws.actor('user'), correlationId: await ctx.correlationId() };
}

/** `dynaforge task start T-### [--change CH-###]`: the task set to doing, with a baseline of the working copy. */
export function startTaskAction(s: Services, ref: TaskRef, via: Via = {}): Promise<ActionResult<StartResult>> {
  const taskId = parseTaskId(ref.task);
  return s.runner.run({ name: 'task start', args: ['task', 'start', taskId, ...(ref.chId ? ['--change', ref.chId] : [])], title: `start ${taskId}`, ...via }, async (ctx) => {
    const tc = await taskContext(ctx);
    const chId = resolveTaskChange(tc.ws, ref.chId);
    ctx.chId = chId;
    return startTask(tc, chId, taskId);
  });
}

/**
 * `dynaforge task done T-### [--verify …|--no-verify]`: the diff since the start as evidence,
 * verified — or the task stays doing and a concern says why (`outcome: blocked`, still `ok`).
 */
export function completeTaskAction(s: Services, ref: TaskRef, opts: CompleteOptions = {}, via: Via = {}): Promise<ActionResult<DoneResult>> {
  const taskId = parseTaskId(ref.task);
  const flags = [...(ref.chId ? ['--change', ref.chId] : []), ...(opts.verify ?? []).flatMap((v) => ['--verify', v]), ...(opts.noVerify ? ['--no-verify'] : [])];
  return s.runner.run({ name: 'task done', args: ['task', 'done', taskId, ...flags], title: `finish ${taskId}`, ...via }, async (ctx) => {
    const tc = await taskContext(ctx);
    const chId = resolveTaskChange(tc.ws, ref.chId, taskId);
    ctx.chId = chId;
    return finishTask(tc, chId, taskId, { ...(opts.verify?.length ? { verify: opts.verify } : {}), ...(opts.noVerify ? { noVerify: true } : {}) });
  });
}
