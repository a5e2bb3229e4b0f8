import { join } from 'node:path';
import { sha256 } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import { changeDir } from '../repo/layout';
import type { Actor } from '../schema/audit';
import { statusOf } from '../status/changeStatus';
import { loadTrace } from '../trace/loadTrace';
import type { TraceModel } from '../trace/model';
import { renderTraceability, TRACEABILITY_REL, writeTraceability } from '../trace/render';
import type { Workspace } from '../workspace';
import { CHANGELOG_REL, changelogEntry, renderChangelog, type ChangelogEntry } from './changelog';
import { countTasks, PROGRESS_REL, progressRow, renderProgress, type ProgressRow } from './progress';

/** The generated views (DESIGN.md §3), in the order they are written and reported. */
export const VIEWS = ['progress', 'changelog', 'traceability'] as const;
export type ViewName = (typeof VIEWS)[number];

export const VIEW_FILES: Readonly<Record<ViewName, string>> = { progress: PROGRESS_REL, changelog: CHANGELOG_REL, traceability: TRACEABILITY_REL };

/** One view as it should be, next to what is on disk. */
export interface PlannedView {
  readonly view: ViewName;
  readonly file: string;
  readonly text: string;
  /** The file's text now; undefined when it does not exist. */
  readonly current: string | undefined;
}

export interface ViewsPlan {
  readonly views: readonly PlannedView[];
  /** Change folders whose change.yaml does not load: the views would leave them out. */
  readonly problems: readonly DfError[];
  readonly trace?: TraceModel;
}

export type ViewCheckStatus = 'up-to-date' | 'out-of-date' | 'missing';
export type ViewWriteStatus = 'written' | 'unchanged';

export interface ViewOutcome<S extends string> {
  readonly view: ViewName;
  readonly file: string;
  readonly status: S;
  /** sha256 of the view as it should be (and, once written, as it is). */
  readonly hash: string;
}

/**
 * Renders the selected views from the changes (and, for traceability, the trace sources)
 * without writing anything. A CHANGELOG.md whose markers are broken is an error here, before
 * any view is written.
 */
export async function planViews(ws: Workspace, only: readonly ViewName[] = VIEWS): Promise<ViewsPlan> {
  const wanted = VIEWS.filter((v) => only.includes(v));
  const { changes, problems } = ws.store.list();
  const needStatus = wanted.some((v) => v !== 'traceability');
  const statuses = needStatus ? changes.map((change) => ({ change, status: statusOf(ws, change) })) : [];
  const trace = wanted.includes('traceability') ? (await loadTrace(ws)).model : undefined;
  const views: PlannedView[] = [];
  for (const view of wanted) {
    const file = VIEW_FILES[view];
    const current = readTextIfExists(join(ws.layout.root, file));
    let text: string;
    if (view === 'progress') {
      const rows: ProgressRow[] = statuses.map(({ change, status }) => {
        const tasks = readTextIfExists(join(changeDir(ws.layout, change.id), 'tasks.md'));
        return progressRow(change, status, tasks === undefined ? undefined : countTasks(tasks, ws.store.relFile(change.id, 'tasks.md')));
      });
      text = renderProgress(rows);
    } else if (view === 'changelog') {
      const entries = statuses.flatMap(({ change, status }): ChangelogEntry[] => {
        const e = changelogEntry(change, status.lifecycle);
        return e ? [e] : [];
      });
      text = renderChangelog(current, entries);
    } else {
      text = renderTraceability(trace as TraceModel);
    }
    views.push({ view, file, text, current });
  }
  return { views, problems, ...(trace ? { trace } : {}) };
}

/** `--check`: which views differ from what `views` would write. Writes nothing. */
export function checkViews(plan: ViewsPlan): ViewOutcome<ViewCheckStatus>[] {
  return plan.views.map((v) => ({ view: v.view, file: v.file, status: v.current === undefined ? 'missing' : v.current === v.text ? 'up-to-date' : 'out-of-date', hash: sha256(v.text) }));
}

/**
 * Regenerates the selected views: each written atomically, and only when its content
 * changes (an unchanged view keeps its bytes and its mtime). Planning and writing happen
 * under one lock, so a concurrent run cannot interleave with CHANGELOG.md's read-modify-write.
 * When anything was written, a `views.written` event records the files and their hashes.
 * Refuses (writing nothing) while a change.yaml does not load: returns its problems.
 */
export async function regenerateViews(ws: Workspace, only: readonly ViewName[], actor: Actor, correlationId: string): Promise<{ views: ViewOutcome<ViewWriteStatus>[]; problems: readonly DfError[] }> {
  return withLock(join(ws.layout.lockDir, 'views'), async () => {
    const plan = await planViews(ws, only);
    if (plan.problems.length) return { views: [], problems: plan.problems };
    const out: ViewOutcome<ViewWriteStatus>[] = [];
    try {
      for (const v of plan.views) {
        let written: boolean;
        if (v.view === 'traceability') written = writeTraceability(ws.layout.root, plan.trace as TraceModel).written;
        else {
          written = v.current !== v.text;
          if (written) writeFileAtomicSync(join(ws.layout.root, v.file), v.text, v.file);
        }
        out.push({ view: v.view, file: v.file, status: written ? 'written' : 'unchanged', hash: sha256(v.text) });
      }
    } finally {
      // Whatever was written is recorded, even when a later view could not be.
      const written = out.filter((o) => o.status === 'written');
      if (written.length) {
        await ws.audit.append({
          type: 'views.written',
          actor,
          correlation_id: correlationId,
          payload: { written: written.map((o) => ({ file: o.file, hash: o.hash })), unchanged: out.filter((o) => o.status === 'unchanged').map((o) => o.file) },
        });
      }
    }
    return { views: out, problems: [] };
  }, 'the generated views');
}

/** Why the views were not written (or checked): some change.yaml does not load. */
export function viewsRefused(problems: readonly DfError[], check: boolean): DfError {
  const first = problems[0]?.where.file;
  const n = problems.length;
  return new DfError(
    'invalid-schema',
    `views not ${check ? 'checked' : 'written'}: ${n} change${n > 1 ? 's do' : ' does'} not load, so the views would leave ${n > 1 ? 'them' : 'it'} out`,
    `fix ${first ?? 'the change.yaml files above'} (errors above), then rerun \`dynaforge views${check ? ' --check' : ''}\``,
    first ? { file: first } : {},
  );
}
