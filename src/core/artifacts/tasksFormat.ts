/**
 * The tasks.md line format (docs/formats.md, "tasks.md"). One task per line:
 *
 *   - [x] T-003 [P] Wire the limiter into login (files: src/auth/login.ts) (deps: T-001, T-002) (evidence: evidence.json#T-003) (src: plan)
 *
 * state `[ ]` todo, `[~]` doing, `[x]` done, `[-]` dropped; `[P]` marks a task that may run
 * in parallel; trailing `(key: value)` groups carry files, dependencies, evidence (done
 * tasks) and where a generated task came from. Every other line (headings, prose) is kept
 * as it is. A line that starts like a task but does not parse is reported with its line
 * number; the rest of the file still parses.
 */
export const TASK_STATES = ['todo', 'doing', 'done', 'dropped'] as const;
export type TaskState = (typeof TASK_STATES)[number];

const BOX: Record<TaskState, string> = { todo: ' ', doing: '~', done: 'x', dropped: '-' };
const STATE_OF: Record<string, TaskState> = { ' ': 'todo', '~': 'doing', x: 'done', X: 'done', '-': 'dropped' };
type AttrKey = 'files' | 'deps' | 'evidence' | 'src';

export interface Task {
  readonly id: string;
  readonly state: TaskState;
  readonly parallel: boolean;
  readonly text: string;
  readonly files: readonly string[];
  readonly deps: readonly string[];
  readonly evidence?: string;
  /** Which artifact generated the task (`spec`, `plan`); absent for tasks a person wrote. */
  readonly src?: string;
}

/** A line of tasks.md: a task, or any other text kept verbatim. */
export type TaskLine = { readonly kind: 'task'; readonly task: Task } | { readonly kind: 'text'; readonly text: string };

export interface TaskProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedTasks {
  readonly lines: TaskLine[];
  readonly problems: TaskProblem[];
}

const TASK_START = /^\s*-\s*\[/;
const TASK_LINE = /^- \[([ ~xX-])\] (T-\d{3,}) (\[P\] )?(.*)$/;
const TRAILING_ATTR = / \((files|deps|evidence|src): ([^()]*)\)$/;

export function parseTasks(text: string): ParsedTasks {
  const lines: TaskLine[] = [];
  const problems: TaskProblem[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!TASK_START.test(line)) {
      lines.push({ kind: 'text', text: line });
      return;
    }
    const m = TASK_LINE.exec(line);
    if (!m) {
      problems.push({ line: i + 1, message: 'looks like a task but does not parse: expected "- [ ] T-001 text", with the box one of [ ] [~] [x] [-]' });
      lines.push({ kind: 'text', text: line });
      return;
    }
    const [, box, id, par, rest] = m as unknown as [string, string, string, string | undefined, string];
    let body = rest;
    const attrs: Partial<Record<AttrKey, string>> = {};
    for (let a = TRAILING_ATTR.exec(body); a; a = TRAILING_ATTR.exec(body)) {
      const key = a[1] as AttrKey;
      if (attrs[key] !== undefined) break; // a repeated key belongs to the text
      attrs[key] = (a[2] as string).trim();
      body = body.slice(0, a.index);
    }
    const text = body.trim();
    if (!text) {
      problems.push({ line: i + 1, message: `task ${id} has no text` });
      lines.push({ kind: 'text', text: line });
      return;
    }
    const deps = split(attrs.deps);
    const badDep = deps.find((d) => !/^T-\d{3,}$/.test(d));
    if (badDep) problems.push({ line: i + 1, message: `task ${id} depends on "${badDep}", which is not a task id (T-001)` });
    const first = seen.get(id);
    if (first !== undefined) problems.push({ line: i + 1, message: `task id ${id} is used twice (first on line ${first})` });
    seen.set(id, first ?? i + 1);
    const task: Task = {
      id,
      state: STATE_OF[box] as TaskState,
      parallel: par !== undefined,
      text,
      files: split(attrs.files),
      deps,
      ...(attrs.evidence ? { evidence: attrs.evidence } : {}),
      ...(attrs.src ? { src: attrs.src } : {}),
    };
    lines.push({ kind: 'task', task });
  });
  return { lines, problems };
}

export function formatTask(t: Task): string {
  let line = `- [${BOX[t.state]}] ${t.id} ${t.parallel ? '[P] ' : ''}${t.text}`;
  if (t.files.length) line += ` (files: ${t.files.join(', ')})`;
  if (t.deps.length) line += ` (deps: ${t.deps.join(', ')})`;
  if (t.evidence) line += ` (evidence: ${t.evidence})`;
  if (t.src) line += ` (src: ${t.src})`;
  return line;
}

export function formatTasks(lines: readonly TaskLine[]): string {
  return lines.map((l) => (l.kind === 'task' ? formatTask(l.task) : l.text)).join('\n');
}

export function tasksOf(parsed: ParsedTasks): Task[] {
  return parsed.lines.flatMap((l) => (l.kind === 'task' ? [l.task] : []));
}

function split(v: string | undefined): string[] {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
