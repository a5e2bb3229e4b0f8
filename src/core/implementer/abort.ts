import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskState } from '../artifacts/tasksFormat';
import { sha256 } from '../canonical';
import { evidenceRef, readEvidence, withdrawEvidence } from '../capture/evidenceStore';
import { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import type { Actor, AuditEventInput, AuditEventType, AuditPayload } from '../schema/audit';
import type { EvidenceEntry } from '../schema/evidence';
import type { Run } from '../schema/run';
import { serializeChange } from '../store/changeStore';
import { parseTasksDoc, withTaskState } from '../tasks/taskFile';
import { withTaskLock, writeTasks } from '../tasks/taskWork';
import type { Workspace } from '../workspace';
import { FileTracker, type RestoreReport } from './fileTracker';
import { latestRun } from './implement';
import { withRunLock } from './runLock';
import { tasksMdRel } from './tasksMd';

export interface AbortReport extends RestoreReport {
  readonly run: Run;
  readonly folder: string;
  /** The run's evidence (`evidence.json#E-n`), withdrawn: gone from change.yaml `evidence[]`, left out by every reader. */
  readonly withdrawn: string[];
  /** tasks.md tasks the run had marked done, set back line by line because tasks.md itself was kept (edited since the run). */
  readonly unmarked: string[];
}

/** Who aborts the run (a person, from a face), and the correlation id of their command. */
export interface AbortBy {
  readonly actor: Actor;
  readonly correlationId: string;
}

/**
 * `implement abort`: the newest run's files put back as they were before it (tasks.md too,
 * under the tasks lock), and the evidence its done tasks recorded withdrawn — the work it
 * records is undone: a withdrawal is appended to evidence.json (the entries stay, as written),
 * the references leave change.yaml `evidence[]`, and `implementer.aborted` says what was
 * restored and withdrawn. Files someone edited since are kept, and are not evidence of the run
 * either. The run is marked aborted last: an abort cut short can be run again.
 */
export async function abortRun(ws: Workspace, chId: string, by: AbortBy): Promise<AbortReport> {
  ws.store.read(chId);
  return withRunLock(ws.layout, chId, async () => {
    const folder = latestRun(ws, chId);
    const run = folder.readRun();
    const state = folder.readState();
    if (state.restored) throw new DfError('conflict', `${folder.rel} was already aborted and restored`, 'nothing to do', { file: folder.fileRel('state.json') });
    const ofRun = (e: EvidenceEntry): boolean => e.kind === 'implementer-task' && e.source.run_id === run.run_id;
    // Read before any file is touched: a damaged evidence.json stops the abort at once.
    const refs = readEvidence(ws.layout, chId).entries.filter(ofRun).map((e) => evidenceRef(e.id));
    const tracker = new FileTracker(folder);
    const { report, unmarked } = await withTaskLock(ws.layout, chId, async () => {
      const restored = tracker.restore();
      const kept = restored.kept.some((k) => k.path === tasksMdRel(chId));
      return { report: restored, unmarked: kept ? unmarkTasks(ws, chId, tracker, refs) : [] };
    });
    await withdrawEvidence(ws.layout, chId, ofRun, { at: ws.clock.nowIso(), by: by.actor.id, reason: `implement abort: the files of ${folder.rel} were restored`, run_id: run.run_id });
    const event = <T extends AuditEventType>(type: T, payload: AuditPayload<T>): AuditEventInput =>
      ({ type, ch_id: chId, actor: by.actor, run_id: run.run_id, correlation_id: by.correlationId, payload }) as AuditEventInput;
    const events: AuditEventInput[] = [];
    // Also when an earlier abort was cut short after the withdrawal: the references still go.
    if (ws.store.read(chId).evidence.some((r) => refs.includes(r))) {
      const updated = await ws.store.update(chId, (c) => ({ ...c, evidence: c.evidence.filter((r) => !refs.includes(r)) }));
      events.push(event('change.updated', { fields: ['evidence'], file: ws.store.relFile(chId), hash: sha256(serializeChange(updated)) }));
    }
    events.push(event('implementer.aborted', { run: folder.rel, ...report, withdrawn: refs, unmarked }));
    await ws.audit.appendMany(events);
    state.restored = report;
    run.status = 'aborted';
    run.finished = ws.clock.nowIso();
    folder.writeState(state);
    folder.writeRun(run);
    return { run, folder: folder.rel, ...report, withdrawn: refs, unmarked };
  });
}

/**
 * tasks.md was edited after the run wrote it, so it was kept: only the lines of the tasks the
 * run marked done (still linking its evidence) are set back, each to the state the run's
 * pre-image of tasks.md gave it (todo when there is none), its evidence link removed. Every
 * other byte stays the person's. Runs under the tasks lock.
 */
function unmarkTasks(ws: Workspace, chId: string, tracker: FileTracker, refs: readonly string[]): string[] {
  const file = tasksMdRel(chId);
  const text = readTextIfExists(join(ws.layout.root, file));
  if (text === undefined) return [];
  const marked = parseTasksDoc(text, file).tasks.filter((t) => t.state === 'done' && t.evidence !== undefined && refs.includes(t.evidence));
  if (!marked.length) return [];
  const before = priorStates(tracker, file);
  const next = marked.reduce((current, t) => withTaskState(parseTasksDoc(current, file), t.id, before.get(t.id) ?? 'todo', null), text);
  writeTasks(ws.layout, chId, next);
  return marked.map((t) => t.id);
}

/** Each task's state in tasks.md before the run first wrote it (its pre-image in the run folder). */
function priorStates(tracker: FileTracker, file: string): Map<string, TaskState> {
  const sha = tracker.entry(file)?.pre;
  const pre = sha === undefined ? undefined : tracker.preImage(sha);
  if (!pre) return new Map();
  return new Map(parseTasksDoc(readFileSync(pre.abs, 'utf8'), file).tasks.map((t) => [t.id, t.state]));
}
