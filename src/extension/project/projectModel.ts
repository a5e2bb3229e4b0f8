import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { computeFindings } from '../../core/drift/compute';
import type { Finding } from '../../core/drift/model';
import { findRoot } from '../../core/repo/layout';
import { ContextKeys } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import type { Settings } from '../settings';
import { describeError } from '../ui/errors';
import { loadSnapshot } from './loadSnapshot';
import { RefreshScheduler } from './refreshScheduler';
import { EMPTY_DRIFT, emptySnapshot, type ChangeView, type DriftState, type Snapshot } from './snapshot';

/**
 * The face's one read model of the project: the latest snapshot and drift, refreshed through
 * the engine when something on disk moves (debounced) or an action of ours finished. Views
 * never read the disk themselves; they render what this holds and listen to `onDidChange`.
 */
export class ProjectModel extends Disposable {
  private snap: Snapshot;
  private driftState: DriftState = EMPTY_DRIFT;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires after each refresh that produced a new snapshot or new drift. */
  readonly onDidChange = this.changed.event;
  private readonly scheduler: RefreshScheduler;
  private runs = 0;
  /** performance.now() when the first snapshot, and the first drift, reached the views. */
  readonly firstAt: { snapshot?: number; drift?: number } = {};
  /** Durations (ms) of the latest refresh's two parts. */
  lastRefresh = { snapshotMs: 0, driftMs: 0 };

  constructor(
    private readonly log: vscode.LogOutputChannel,
    settings: Settings,
  ) {
    super();
    this.snap = emptySnapshot(vscode.workspace.isTrusted, this.folder());
    this.scheduler = new RefreshScheduler(() => this.load(), () => settings.value.refreshDebounceMs);
    this._register(toDisposable(() => this.scheduler.dispose()));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.request('workspace folders changed')));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh('workspace trusted')));
  }

  get snapshot(): Snapshot {
    return this.snap;
  }

  get drift(): DriftState {
    return this.driftState;
  }

  /** How many refreshes have run (tests use it to prove edits do not rescan). */
  get refreshCount(): number {
    return this.runs;
  }

  change(id: string): ChangeView | undefined {
    return this.snap.changes.find((c) => c.change.id === id);
  }

  driftOf(chId: string): Finding[] {
    return this.driftState.items.filter((f) => f.ch_id === chId);
  }

  /** A refresh after the quiet period (file events, settings). */
  request(reason: string): void {
    this.log.trace(`refresh requested: ${reason}`);
    this.scheduler.request();
  }

  /** A refresh now, e.g. after an action: resolves once the views have the new state. */
  async refresh(reason: string): Promise<void> {
    this.log.trace(`refresh now: ${reason}`);
    await this.scheduler.runNow();
  }

  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  /** The workspace folder we work in: the first holding a project, else the first one. */
  folder(): string | undefined {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    return (folders.find((f) => findRoot(f.uri.fsPath) !== undefined) ?? folders[0])?.uri.fsPath;
  }

  private async load(): Promise<void> {
    this.runs += 1;
    const started = performance.now();
    const trusted = vscode.workspace.isTrusted;
    const { snapshot, ws } = await loadSnapshot(this.folder(), trusted);
    this.snap = snapshot;
    if (snapshot.state !== 'ready') this.driftState = EMPTY_DRIFT;
    if (snapshot.error) this.log.warn(`the project does not load: ${describeError(snapshot.error)}`);
    await this.setContext(snapshot);
    this.changed.fire();
    const read = performance.now();
    this.firstAt.snapshot ??= read;
    this.lastRefresh = { snapshotMs: read - started, driftMs: 0 };
    this.log.trace(`snapshot: ${snapshot.state}, ${snapshot.changes.length} change(s) in ${(read - started).toFixed(0)} ms`);
    if (!ws) return;
    // Drift reads git history: the tree is already up to date while it runs.
    try {
      const found = await computeFindings(ws);
      this.driftState = { items: found.items, git: found.git, computed: true };
    } catch (e) {
      this.log.error(`drift could not be computed: ${describeError(e)}`);
      this.driftState = { ...this.driftState, computed: true };
    }
    this.changed.fire();
    const done = performance.now();
    this.firstAt.drift ??= done;
    this.lastRefresh = { ...this.lastRefresh, driftMs: done - read };
    this.log.trace(`drift: ${this.driftState.items.length} item(s) in ${(done - read).toFixed(0)} ms, refresh took ${(done - started).toFixed(0)} ms`);
  }

  private async setContext(s: Snapshot): Promise<void> {
    await vscode.commands.executeCommand('setContext', ContextKeys.State, s.state);
    await vscode.commands.executeCommand('setContext', ContextKeys.HasChanges, s.changes.length + s.problems.length > 0);
  }
}
