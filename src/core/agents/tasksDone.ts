import { join } from 'node:path';
import { parseArtifact } from '../artifacts/frontMatter';
import { parseTasks, tasksOf } from '../artifacts/tasksFormat';
import { readTextIfExists } from '../fs/atomic';
import { changeDir } from '../repo/layout';
import type { Workspace } from '../workspace';

/** Tasks of tasks.md still to do (todo or doing); undefined-safe: no tasks.md is -1. */
export function openTaskCount(ws: Workspace, id: string): number {
  const text = readTextIfExists(join(changeDir(ws.layout, id), 'tasks.md'));
  if (text === undefined) return -1;
  return tasksOf(parseTasks(parseArtifact(text, ws.store.relFile(id, 'tasks.md')).body)).filter((t) => t.state === 'todo' || t.state === 'doing').length;
}
