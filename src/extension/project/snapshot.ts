import type { Finding } from '../../core/drift/model';
import type { DfError } from '../../core/errors';
import type { TaskState } from '../../core/artifacts/tasksFormat';
import type { RunSummary } from '../../core/implementer/runList';
import type { Change } from '../../core/schema/change';
import type { ChangeStatus } from '../../core/status/lifecycle';
import type { ActiveChange } from '../../core/store/activeChange';
import type { ProjectState } from '../constants';

/** A task line of a change's tasks.md, with the 1-based line it is on in the file. */
export interface TaskView {
  readonly id: string;
  readonly state: TaskState;
  readonly text: string;
  readonly line: number;
}

/** One change as the views show it: the record, its derived status, its files and tasks. */
export interface ChangeView {
  readonly change: Change;
  /** Undefined when the status could not be derived (e.g. a damaged audit stream): see `error`. */
  readonly status?: ChangeStatus;
  readonly error?: DfError;
  /** Artifact file names present, e.g. `brief.md`, `spec.md`, `evidence.json`. */
  readonly artifacts: readonly string[];
  readonly tasks: readonly TaskView[];
  /** The change's Implementer runs still on disk (artifacts/work/CH-###/run-N), newest first. */
  readonly runs: readonly RunSummary[];
}

/**
 * What the views render, read from disk by the engine in one go. Immutable: a refresh builds a
 * new one, so a view never sees half of an update.
 */
export interface Snapshot {
  readonly state: ProjectState;
  /** The workspace folder the face works in (absolute path). */
  readonly folder?: string;
  /** The project root (the folder holding .dynaforge/), when there is a project. */
  readonly root?: string;
  readonly trusted: boolean;
  readonly changes: readonly ChangeView[];
  /** Change folders whose change.yaml does not load. */
  readonly problems: readonly DfError[];
  readonly active?: ActiveChange;
  /** Why the project does not load (state `broken`). */
  readonly error?: DfError;
}

/** Drift and validation findings (engine `computeFindings`), computed after the snapshot. */
export interface DriftState {
  readonly items: readonly Finding[];
  /** Whether history could be read (orphans and scope drift need git). */
  readonly git: boolean;
  /** False until the first computation finished (and always in Restricted Mode). */
  readonly computed: boolean;
}

export const EMPTY_DRIFT: DriftState = { items: [], git: false, computed: false };

export function emptySnapshot(trusted: boolean, folder?: string): Snapshot {
  return { state: folder ? 'uninitialized' : 'noFolder', ...(folder ? { folder } : {}), trusted, changes: [], problems: [] };
}
