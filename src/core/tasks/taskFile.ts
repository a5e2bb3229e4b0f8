import { join } from 'node:path';
import { parseArtifact } from '../artifacts/frontMatter';
import { parseTasks, type Task, type TaskProblem, type TaskState } from '../artifacts/tasksFormat';
import { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import { changeDir, type Layout } from '../repo/layout';

/** A task of tasks.md with the line (1-based, counted from the top of the file) it is on. */
export interface TaskEntry extends Task {
  readonly line: number;
}

/** A change's tasks.md as read: the exact text, its tasks and the lines that did not parse. */
export interface TasksDoc {
  /** Repository-relative path, e.g. `changes/CH-012/tasks.md`. */
  readonly file: string;
  readonly text: string;
  readonly tasks: readonly TaskEntry[];
  /** Problems with lines counted from the top of the file (front matter included). */
  readonly problems: readonly TaskProblem[];
}

export const TASK_ID_RE = /^T-\d{3,}$/;

/** The box of each state; kept here so an edit touches only the one character it means to. */
const BOX: Record<TaskState, string> = { todo: ' ', doing: '~', done: 'x', dropped: '-' };
const TRAILING_ATTR = / \((files|deps|evidence|src): ([^()]*)\)$/;

export function tasksFile(chId: string): string {
  return `changes/${chId}/tasks.md`;
}

/** What a person typed as a task id: `T-003`, `t-3` or `3` all mean T-003. */
export function parseTaskId(input: string): string {
  const text = input.trim();
  const exact = /^t-(\d{3,})$/i.exec(text);
  if (exact) return `T-${exact[1] as string}`;
  const m = /^(?:t-?)?(\d{1,9})$/i.exec(text);
  if (!m) throw new DfError('usage', `"${input}" is not a task id`, 'a task id is T- followed by digits, e.g. T-003 (or just 3); `dynaforge task list` shows them', { field: 'task id' });
  return `T-${String(Number(m[1])).padStart(3, '0')}`;
}

/** Parses tasks.md text (front matter skipped, line numbers of the whole file). */
export function parseTasksDoc(text: string, file: string): TasksDoc {
  const { body, bodyOffset } = parseArtifact(text, file);
  const parsed = parseTasks(body);
  const tasks: TaskEntry[] = [];
  parsed.lines.forEach((l, i) => {
    if (l.kind === 'task') tasks.push({ ...l.task, line: bodyOffset + i + 1 });
  });
  return { file, text, tasks, problems: parsed.problems.map((p) => ({ ...p, line: p.line + bodyOffset })) };
}

/** A change's tasks.md; a missing one is an error saying how to make it. */
export function readTasksDoc(layout: Layout, chId: string): TasksDoc {
  const file = tasksFile(chId);
  const text = readTextIfExists(join(changeDir(layout, chId), 'tasks.md'));
  if (text === undefined) throw new DfError('not-found', `${chId} has no tasks.md yet`, `derive it with \`dynaforge tasks ${chId}\` (or write ${file} by hand, one "- [ ] T-001 …" line per task)`, { file });
  return parseTasksDoc(text, file);
}

export function findTask(doc: TasksDoc, id: string): TaskEntry {
  const task = doc.tasks.find((t) => t.id === id);
  if (task) return task;
  const known = doc.tasks.map((t) => t.id);
  const listed = known.length ? `it has ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}` : 'it has no tasks';
  throw new DfError('not-found', `${doc.file} has no task ${id} (${listed})`, '`dynaforge task list` shows the tasks of a change; `--change CH-###` picks another change', { file: doc.file });
}

/**
 * tasks.md with one task's box set to `state` (and, given `evidence`, its `(evidence: …)`
 * set, or with `null` removed): every other byte of the file — front matter, line ends, the
 * rest of the line — is kept as it was. The edited line is parsed again to prove the edit
 * says what was meant.
 */
export function withTaskState(doc: TasksDoc, id: string, state: TaskState, evidence?: string | null): string {
  const task = findTask(doc, id);
  const lines = doc.text.split('\n');
  const raw = lines[task.line - 1] as string;
  const cr = raw.endsWith('\r') ? '\r' : '';
  let line = (cr ? raw.slice(0, -1) : raw).replace(/^- \[[ ~xX-]\]/, `- [${BOX[state]}]`);
  if (evidence !== undefined) line = withEvidence(line, evidence);
  const again = parseTasks(line).lines[0];
  const edited = again?.kind === 'task' ? again.task : undefined;
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!edited || edited.id !== id || edited.state !== state || edited.text !== task.text || !same(edited.files, task.files) || !same(edited.deps, task.deps) || (evidence !== undefined && edited.evidence !== (evidence ?? undefined))) {
    const link = evidence ? ` and it gets (evidence: ${evidence})` : evidence === null ? ' and its (evidence: …) goes' : '';
    throw new DfError('conflict', `${doc.file}:${task.line}: cannot set ${id} to ${state} without changing what the line says`, `edit the line by hand: the box of ${id} becomes [${BOX[state]}]${link}`, { file: doc.file, line: task.line });
  }
  lines[task.line - 1] = line + cr;
  return lines.join('\n');
}

/** Replaces the value of a trailing `(evidence: …)`, or adds one where the format puts it (before `(src: …)`); `null` removes it. */
function withEvidence(line: string, evidence: string | null): string {
  const attrs: { key: string; start: number; end: number }[] = [];
  let body = line;
  for (let a = TRAILING_ATTR.exec(body); a; a = TRAILING_ATTR.exec(body)) {
    if (attrs.some((x) => x.key === a?.[1])) break; // a repeated key belongs to the text, as the parser reads it
    attrs.push({ key: a[1] as string, start: a.index, end: a.index + a[0].length });
    body = body.slice(0, a.index);
  }
  const value = evidence === null ? '' : ` (evidence: ${evidence})`;
  const current = attrs.find((x) => x.key === 'evidence');
  if (current) return line.slice(0, current.start) + value + line.slice(current.end);
  if (evidence === null) return line;
  const src = attrs.find((x) => x.key === 'src');
  return src ? line.slice(0, src.start) + value + line.slice(src.start) : line + value;
}
