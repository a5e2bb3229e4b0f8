import type { Task, TaskState } from '../artifacts/tasksFormat';

/** A dependency that is not satisfied yet: a task not done, or an id tasks.md does not have. */
export interface UnmetDep {
  readonly id: string;
  readonly state: TaskState | 'missing';
}

/**
 * The dependencies of `task` that hold it back. A dependency is met when it is done, or
 * dropped (a dropped task will never be done; keeping its dependents waiting forever would
 * help nobody). An id tasks.md does not have is never met.
 */
export function unmetDeps(task: Task, all: readonly Task[]): UnmetDep[] {
  return task.deps.flatMap((id): UnmetDep[] => {
    const dep = all.find((t) => t.id === id);
    if (!dep) return [{ id, state: 'missing' }];
    return dep.state === 'done' || dep.state === 'dropped' ? [] : [{ id, state: dep.state }];
  });
}

/** The first todo task (in file order) whose dependencies are all met. */
export function nextReady<T extends Task>(tasks: readonly T[]): T | undefined {
  return tasks.find((t) => t.state === 'todo' && unmetDeps(t, tasks).length === 0);
}

/** `T-001 (doing), T-009 (not in tasks.md)`. */
export function describeUnmet(deps: readonly UnmetDep[]): string {
  return deps.map((d) => `${d.id} (${d.state === 'missing' ? 'not in tasks.md' : d.state})`).join(', ');
}
