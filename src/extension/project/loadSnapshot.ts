import { join } from 'node:path';
import { parseArtifact } from '../../core/artifacts/frontMatter';
import { parseTasks } from '../../core/artifacts/tasksFormat';
import { AuditLog } from '../../core/audit/auditLog';
import { concernsOf } from '../../core/concerns/concerns';
import { loadConfig } from '../../core/config/loadConfig';
import { DfError, isDfError } from '../../core/errors';
import { readTextIfExists } from '../../core/fs/atomic';
import { changesWithRuns, listRuns, type RunSummary } from '../../core/implementer/runList';
import { systemClock } from '../../core/ports/clock';
import { noGit } from '../../core/repo/git';
import { changeDir, findRoot, layoutAt } from '../../core/repo/layout';
import type { Change } from '../../core/schema/change';
import { statusOf } from '../../core/status/changeStatus';
import { deriveStatus, type ChangeStatus } from '../../core/status/lifecycle';
import { resolveActive, type ActiveChange } from '../../core/store/activeChange';
import { ChangeStore } from '../../core/store/changeStore';
import { Workspace } from '../../core/workspace';
import type { ChangeView, Snapshot, TaskView } from './snapshot';

export interface Loaded {
  readonly snapshot: Snapshot;
  /** The engine workspace the snapshot was read through (trusted folders only): drift reuses it. */
  readonly ws?: Workspace;
}

/**
 * Reads the project of `folder` through the engine. In a trusted folder that is the engine's
 * own `Workspace`; in Restricted Mode nothing may run, not even git (a repository's config can
 * make git run programs), so the same files are read with the engine's git-less pieces.
 */
export async function loadSnapshot(folder: string | undefined, trusted: boolean): Promise<Loaded> {
  if (!folder) return { snapshot: { state: 'noFolder', trusted, changes: [], problems: [] } };
  const root = findRoot(folder);
  if (!root) return { snapshot: { state: 'uninitialized', folder, trusted, changes: [], problems: [] } };
  try {
    return trusted ? await loadTrusted(folder, root) : loadRestricted(folder, root);
  } catch (e) {
    const error = isDfError(e) ? e : new DfError('io', `the project at ${root} could not be read: ${e instanceof Error ? e.message : String(e)}`, 'see the Dynaforge log (Dynaforge: Show Log) for details');
    return { snapshot: { state: 'broken', folder, root, trusted, changes: [], problems: [], error } };
  }
}

async function loadTrusted(folder: string, root: string): Promise<Loaded> {
  const ws = await Workspace.open({ cwd: root, env: process.env });
  const { changes, problems } = ws.store.list();
  const runs = runsByChange(ws.layout.root);
  const views = changes.map((c) => view(ws.layout.root, c, ws.store.artifacts(c.id), runs(c.id), () => statusOf(ws, c)));
  return { snapshot: { state: 'ready', folder, root, trusted: true, changes: views, problems, ...activeOf(() => ws.activeChange()) }, ws };
}

function loadRestricted(folder: string, root: string): Loaded {
  const layout = layoutAt(root);
  const config = loadConfig(layout);
  const store = new ChangeStore(layout, systemClock, noGit, config);
  // Read-only use: nothing is appended, so the project stream name is never used.
  const audit = new AuditLog({ root, auditDir: layout.auditDir, lockDir: layout.lockDir, clock: systemClock, projectStream: 'restricted-mode' });
  const { changes, problems } = store.list();
  const runs = runsByChange(root);
  const views = changes.map((c) => {
    const artifacts = store.artifacts(c.id);
    return view(root, c, artifacts, runs(c.id), () => deriveStatus(c, artifacts, concernsOf(audit, c.id), config));
  });
  // Without git there is no branch: `use` and DF_CHANGE still name the active change.
  return { snapshot: { state: 'ready', folder, root, trusted: false, changes: views, problems, ...activeOf(() => resolveActive(layout, process.env, undefined)) } };
}

/** One change; a status that cannot be derived is shown as an error on that change only. */
function view(root: string, change: Change, artifacts: Readonly<Record<string, string>>, runs: readonly RunSummary[], status: () => ChangeStatus): ChangeView {
  const base = { change, artifacts: Object.keys(artifacts), tasks: 'tasks.md' in artifacts ? tasksOf(root, change.id) : [], runs };
  try {
    return { ...base, status: status() };
  } catch (e) {
    if (!isDfError(e)) throw e;
    return { ...base, error: e };
  }
}

/**
 * The runs of each change, looked up per change only where artifacts/work/ has a folder for it;
 * an unreadable runs folder shows no runs rather than breaking the view.
 */
function runsByChange(root: string): (chId: string) => RunSummary[] {
  const safely = <T>(read: () => T, none: T): T => {
    try {
      return read();
    } catch (e) {
      if (!isDfError(e)) throw e;
      return none;
    }
  };
  const withRuns = safely(() => changesWithRuns(root), new Set<string>());
  return (chId) => (withRuns.has(chId) ? safely(() => listRuns(root, chId), []) : []);
}

function activeOf(resolve: () => ActiveChange | undefined): { active?: ActiveChange } {
  try {
    const active = resolve();
    return active ? { active } : {};
  } catch (e) {
    if (!isDfError(e)) throw e;
    return {}; // e.g. DF_CHANGE set to a non-id: the status bar says "no active change"
  }
}

/** The tasks of a change's tasks.md, with their line numbers in the file (front matter included). */
export function tasksOf(root: string, chId: string): TaskView[] {
  const rel = `changes/${chId}/tasks.md`;
  const text = readTextIfExists(join(changeDir(layoutAt(root), chId), 'tasks.md'));
  return text === undefined ? [] : tasksInText(text, rel);
}

/** Task lines of tasks.md text (also used on unsaved editor text, so CodeLens follows typing). */
export function tasksInText(text: string, rel: string): TaskView[] {
  let body = text;
  let offset = 0;
  try {
    const parsed = parseArtifact(text, rel);
    body = parsed.body;
    offset = parsed.bodyOffset;
  } catch (e) {
    if (!isDfError(e)) throw e; // a broken front matter is a diagnostic; its task lines still count
  }
  const out: TaskView[] = [];
  parseTasks(body).lines.forEach((l, i) => {
    if (l.kind === 'task') out.push({ id: l.task.id, state: l.task.state, text: l.task.text, line: i + 1 + offset });
  });
  return out;
}
