import { join } from 'node:path';
import { parseArtifact } from '../artifacts/frontMatter';
import { formatTasks, parseTasks, tasksOf, type TaskLine } from '../artifacts/tasksFormat';
import { readTextIfExists } from '../fs/atomic';
import { changeDir, type Layout } from '../repo/layout';

export function tasksMdRel(chId: string): string {
  return `changes/${chId}/tasks.md`;
}

/** The change's tasks.md, split into what precedes the task lines (front matter) and the parsed body; undefined when there is none. */
function load(layout: Layout, chId: string): { head: string; lines: TaskLine[] } | undefined {
  const text = readTextIfExists(join(changeDir(layout, chId), 'tasks.md'));
  if (text === undefined) return undefined;
  const { body } = parseArtifact(text, tasksMdRel(chId));
  return { head: text.slice(0, text.length - body.length), lines: parseTasks(body).lines };
}

/** Ids of the tasks.md tasks still to do (todo or doing): the ones a run may complete. */
export function openTaskIds(layout: Layout, chId: string): string[] {
  const t = load(layout, chId);
  return t ? tasksOf({ lines: t.lines, problems: [] }).filter((x) => x.state === 'todo' || x.state === 'doing').map((x) => x.id) : [];
}

/**
 * tasks.md with task `id` marked done and its evidence linked (`evidence.json#E-n`, as `task
 * done` links it), every other line as it was, and the ids of every task done in it then;
 * undefined when the file or the (open) task is not there any more.
 */
export function markedDone(layout: Layout, chId: string, id: string, evidence: string): { text: string; done: string[] } | undefined {
  const t = load(layout, chId);
  if (!t) return undefined;
  let found = false;
  const lines = t.lines.map((l): TaskLine => {
    if (l.kind !== 'task' || l.task.id !== id || (l.task.state !== 'todo' && l.task.state !== 'doing')) return l;
    found = true;
    return { kind: 'task', task: { ...l.task, state: 'done', evidence } };
  });
  if (!found) return undefined;
  return { text: t.head + formatTasks(lines), done: tasksOf({ lines, problems: [] }).filter((x) => x.state === 'done').map((x) => x.id) };
}
