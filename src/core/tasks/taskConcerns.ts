import { concernsOf, updateConcern, type ConcernContext } from '../concerns/concerns';

/** The `source` of the concerns `task done` raises; with `tasks.md#T-003` in their evidence they are found again. */
export const TASK_CONCERN_SOURCE = 'task done';
/** The `source` of the concerns the Implementer raises (a task blocked, a run stopped, a write refused). */
export const IMPLEMENTER_CONCERN_SOURCE = 'implementer';

/** The sources whose concerns about a task (`tasks.md#T-003` in their evidence) say it is not done yet. */
const NOT_DONE_SOURCES: ReadonlySet<string> = new Set([TASK_CONCERN_SOURCE, IMPLEMENTER_CONCERN_SOURCE]);
const TASK_REF = /^tasks\.md#(T-\d{3,})$/;

/**
 * Resolves the open concerns that said tasks.md task `taskId` was not done, now that it is
 * done with evidence (`note` says with what), whoever finished it: those a refused `task done`
 * raised and those the Implementer raised (its task blocked, its run stopped before it). A
 * concern naming several tasks (a stopped run's) is resolved once every one of them is in
 * `done`. Each is resolved through updateConcern, so each gets its `concern.resolved` event;
 * a concern raised about something else (a write outside the scope, a malformed plan) names
 * no task and stays. Returns the ids resolved.
 */
export async function resolveTaskConcerns(cc: ConcernContext, chId: string, taskId: string, done: ReadonlySet<string>, note: string): Promise<string[]> {
  const open = concernsOf(cc.audit, chId).filter((c) => {
    if (c.status === 'resolved' || !NOT_DONE_SOURCES.has(c.source) || !c.evidence.includes(`tasks.md#${taskId}`)) return false;
    return c.evidence.every((e) => {
      const task = TASK_REF.exec(e)?.[1];
      return task === undefined || task === taskId || done.has(task);
    });
  });
  for (const c of open) await updateConcern(cc, chId, c.id, { kind: 'resolve', note });
  return open.map((c) => c.id);
}
