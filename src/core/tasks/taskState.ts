import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { prettyJson } from '../canonical';
import { DfError, errnoCode } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import type { Layout } from '../repo/layout';
import { describeIssue } from '../schema/issues';
import { CHANGE_ID_RE, ChangeIdSchema } from '../schema/ids';

const Oid = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, 'expected a git object id');

/** A task started in this working copy: what `task done` diffs against. */
export const StartedTaskSchema = z.strictObject({
  started_at: z.iso.datetime(),
  /** The tree of the whole working copy (untracked files included, ignored ones and the tool's records left out). */
  baseline: Oid,
  /** HEAD when the task started; absent before the first commit. */
  head: Oid.optional(),
  /** Who started it. */
  by: z.string().min(1),
  /** Started with `--parallel` beside other [P] tasks. */
  parallel: z.boolean(),
});
export type StartedTask = z.infer<typeof StartedTaskSchema>;

/** `.dynaforge/state/tasks/CH-###.json`: per working copy (gitignored), like the rest of state/. */
export const TaskStateFileSchema = z.strictObject({
  version: z.literal(1),
  change: ChangeIdSchema,
  tasks: z.record(z.string().regex(/^T-\d{3,}$/, 'expected a task id like T-003'), StartedTaskSchema),
});
export type TaskStateFile = z.infer<typeof TaskStateFileSchema>;

function stateDir(layout: Layout): string {
  return join(layout.stateDir, 'tasks');
}

export function taskStateRel(chId: string): string {
  return `.dynaforge/state/tasks/${chId}.json`;
}

/** The tasks started in this working copy for a change (none when there is no file). */
export function readTaskState(layout: Layout, chId: string): TaskStateFile {
  const rel = taskStateRel(chId);
  const text = readTextIfExists(join(stateDir(layout), `${chId}.json`));
  if (text === undefined) return { version: 1, change: chId, tasks: {} };
  const fix = `delete ${rel}: the tasks it lists go back to needing \`dynaforge task start\` (the baselines it held are lost)`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DfError('invalid-schema', `${rel} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, fix, { file: rel });
  }
  const r = TaskStateFileSchema.safeParse(data);
  if (!r.success || r.data.change !== chId) {
    const why = r.success ? `it is the state of ${r.data.change}` : r.error.issues.slice(0, 3).map(describeIssue).join('; ');
    throw new DfError('invalid-schema', `${rel}: ${why}`, fix, { file: rel });
  }
  return r.data;
}

/** Writes the state (atomically); with no task left, removes the file. */
export function writeTaskState(layout: Layout, state: TaskStateFile): void {
  const file = join(stateDir(layout), `${state.change}.json`);
  if (Object.keys(state.tasks).length === 0) rmSync(file, { force: true });
  else writeFileAtomicSync(file, prettyJson(state), taskStateRel(state.change));
}

/** Changes with a task started in this working copy, by id. */
export function changesWithStartedTasks(layout: Layout): string[] {
  let names: string[];
  try {
    names = readdirSync(stateDir(layout));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.json') && CHANGE_ID_RE.test(n.slice(0, -5)))
    .map((n) => n.slice(0, -5))
    .sort();
}
