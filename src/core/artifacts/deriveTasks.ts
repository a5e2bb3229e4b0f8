import { tasksOf, type Task, type TaskLine } from './tasksFormat';

/** A task as the templates derive it, before it has an id. */
export interface TaskSeed {
  readonly text: string;
  readonly src: 'spec' | 'plan';
}

const FR_HEADING = /^#{2,4}\s*(FR-[\w.-]+)\s*[:—–-]?\s*(.*?)\s*$/;
const BULLET = /^\s*(?:[-*+]|\d+[.)])\s+(.+?)\s*$/;

/**
 * Template-mode task derivation (no model): one task per requirement heading of spec.md,
 * one per bullet under the plan's "Approach", one "Verify: …" per bullet under its
 * "Verification". Deterministic: the same texts give the same seeds in the same order.
 */
export function seedTasks(specBody: string, planBody: string): TaskSeed[] {
  const seeds: TaskSeed[] = [];
  for (const line of specBody.split('\n')) {
    const m = FR_HEADING.exec(line);
    if (m) seeds.push({ text: `Implement ${m[1]}${m[2] ? `: ${m[2]}` : ''}`, src: 'spec' });
  }
  for (const [section, prefix] of [['approach', ''], ['verification', 'Verify: ']] as const) {
    for (const item of bulletsUnder(planBody, section)) seeds.push({ text: `${prefix}${item}`, src: 'plan' });
  }
  const seen = new Set<string>();
  return seeds.filter((s) => (seen.has(s.text) ? false : (seen.add(s.text), true)));
}

function bulletsUnder(body: string, heading: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of body.split('\n')) {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      inside = (h[2] as string).trim().toLowerCase() === heading;
      continue;
    }
    const b = inside ? BULLET.exec(line) : null;
    if (b && !(b[1] as string).startsWith('<!--')) out.push((b[1] as string).replace(/\s+/g, ' '));
  }
  return out;
}

export interface TaskMerge {
  readonly lines: TaskLine[];
  readonly kept: number;
  readonly added: number;
  readonly dropped: number;
}

/**
 * Merges freshly derived seeds into the existing task lines without discarding work:
 * a task whose text is unchanged keeps its id and state; a derived task that is no longer
 * derived is marked dropped (never deleted; a done task stays done — its evidence stands);
 * tasks a person wrote (no `src`) are never touched; new seeds get the next free ids.
 */
export function mergeTasks(existing: readonly TaskLine[], seeds: readonly TaskSeed[]): TaskMerge {
  const tasks = tasksOf({ lines: [...existing], problems: [] });
  const wanted = new Set(seeds.map((s) => s.text));
  const have = new Set(tasks.map((t) => t.text));
  let next = Math.max(0, ...tasks.map((t) => Number(t.id.slice(2)))) + 1;
  let kept = 0;
  let dropped = 0;
  const lines: TaskLine[] = existing.map((l) => {
    if (l.kind !== 'task' || !l.task.src) return l;
    if (wanted.has(l.task.text)) {
      kept += 1;
      return l;
    }
    if (l.task.state === 'todo' || l.task.state === 'doing') {
      dropped += 1;
      return { kind: 'task', task: { ...l.task, state: 'dropped' } };
    }
    return l;
  });
  const fresh: TaskLine[] = seeds
    .filter((s) => !have.has(s.text))
    .map((s) => ({ kind: 'task', task: { id: `T-${String(next++).padStart(3, '0')}`, state: 'todo', parallel: false, text: s.text, files: [], deps: [], src: s.src } satisfies Task }));
  // New tasks go right after the last task line (or at the end), so the list stays together.
  let at = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]?.kind === 'task') {
      at = i + 1;
      break;
    }
  }
  if (at === lines.length) while (at > 0 && lines[at - 1]?.kind === 'text' && (lines[at - 1] as { text: string }).text === '') at -= 1;
  lines.splice(at, 0, ...fresh);
  return { lines, kept, added: fresh.length, dropped };
}
