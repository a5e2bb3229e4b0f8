import { parseArtifact } from '../artifacts/frontMatter';
import { parseTasks, tasksOf } from '../artifacts/tasksFormat';
import { compareIds } from '../trace/model';
import type { Change } from '../schema/change';
import { LIFECYCLE, type ChangeStatus, type Lifecycle } from '../status/lifecycle';
import { generatedBy, mdCell, plural } from './markdown';

export const PROGRESS_REL = 'PROGRESS.md';

/** Tasks of a change's tasks.md: dropped tasks count in neither number. */
export interface TaskCounts {
  readonly done: number;
  readonly total: number;
  /** Lines that start like a task but do not parse (not counted). */
  readonly unparsed: number;
}

/** One row of PROGRESS.md: everything shown about a change, already derived. */
export interface ProgressRow {
  readonly id: string;
  readonly title: string;
  readonly lifecycle: Lifecycle;
  readonly stage: string;
  readonly risk: string;
  /** Absent when the change has no tasks.md. */
  readonly tasks?: TaskCounts;
  readonly approvals: { readonly current: number; readonly stale: number };
  /** Unresolved concerns (open or acknowledged), e.g. `C-2 high`, by number. */
  readonly concerns: readonly string[];
  /** The first blocker of an open change; merged and abandoned changes have none. */
  readonly blocker?: string;
}

/**
 * Counts the tasks in tasks.md text. The front matter is skipped when it parses; when it
 * does not, the whole text is read (front matter lines never look like tasks).
 */
export function countTasks(text: string, file: string): TaskCounts {
  let body = text;
  try {
    body = parseArtifact(text, file).body;
  } catch {
    // Broken front matter is reported by the commands that derive tasks.md; a view still counts.
  }
  const parsed = parseTasks(body);
  const live = tasksOf(parsed).filter((t) => t.state !== 'dropped');
  return { done: live.filter((t) => t.state === 'done').length, total: live.length, unparsed: parsed.problems.length };
}

/**
 * A change's row. Approvals counted are the latest decision per stage and sub-scope that
 * approved (as blockers count them): current while their hashes match, stale otherwise.
 */
export function progressRow(change: Change, status: ChangeStatus, tasks: TaskCounts | undefined): ProgressRow {
  const latest = new Map(status.approvals.map((s) => [`${s.approval.stage}\u0000${s.approval.sub_scope ?? ''}`, s]));
  const approving = [...latest.values()].filter((s) => s.approval.decision === 'approved');
  const concerns = [...status.openConcerns].sort((a, b) => compareIds(a.id, b.id)).map((c) => `${c.id} ${c.severity}`);
  const first = change.status === 'open' ? status.blockers[0] : undefined;
  return {
    id: change.id,
    title: change.title,
    lifecycle: status.lifecycle,
    stage: status.stage,
    risk: change.risk_tier,
    ...(tasks ? { tasks } : {}),
    approvals: { current: approving.filter((s) => s.current).length, stale: approving.filter((s) => !s.current).length },
    concerns,
    ...(first !== undefined ? { blocker: first } : {}),
  };
}

const HEADER = generatedBy('changes/*/change.yaml, their artifacts and their audit streams');

/**
 * PROGRESS.md: a summary line, then one table per lifecycle state (in lifecycle order, empty
 * ones left out) with a row per change in id order. No clock: the same changes give the same bytes.
 */
export function renderProgress(rows: readonly ProgressRow[]): string {
  const sorted = [...rows].sort((a, b) => compareIds(a.id, b.id));
  const lines = [HEADER, '', '# Progress', '', summary(sorted)];
  for (const state of LIFECYCLE) {
    const group = sorted.filter((r) => r.lifecycle === state);
    if (!group.length) continue;
    lines.push('', `## ${state} (${group.length})`, '', '| Change | Title | Stage | Risk | Tasks | Approvals | Open concerns | First blocker |', '|---|---|---|---|---|---|---|---|');
    for (const r of group) lines.push(`| ${[r.id, r.title, r.stage, r.risk, tasksCell(r.tasks), approvalsCell(r.approvals), r.concerns.join(', '), r.blocker ?? ''].map(mdCell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function summary(rows: readonly ProgressRow[]): string {
  if (!rows.length) return 'No changes yet: start one with `dynaforge new "Title"`, or `dynaforge capture` some commits.';
  const counts = LIFECYCLE.map((s) => [s, rows.filter((r) => r.lifecycle === s).length] as const).filter(([, n]) => n > 0);
  const done = rows.reduce((n, r) => n + (r.tasks?.done ?? 0), 0);
  const total = rows.reduce((n, r) => n + (r.tasks?.total ?? 0), 0);
  const blocked = rows.filter((r) => r.blocker !== undefined).length;
  const concerns = rows.reduce((n, r) => n + r.concerns.length, 0);
  const stale = rows.reduce((n, r) => n + r.approvals.stale, 0);
  return (
    `${plural(rows.length, 'change')}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}. ` +
    `Tasks: ${done} of ${total} done. ${blocked} blocked, ${plural(concerns, 'open concern')}, ${plural(stale, 'stale approval')}.`
  );
}

function tasksCell(t: TaskCounts | undefined): string {
  if (!t) return '';
  return `${t.done}/${t.total}${t.unparsed ? ` (${plural(t.unparsed, 'line')} not parsed)` : ''}`;
}

function approvalsCell(a: ProgressRow['approvals']): string {
  return [a.current ? `${a.current} current` : '', a.stale ? `${a.stale} stale` : ''].filter(Boolean).join(', ');
}
