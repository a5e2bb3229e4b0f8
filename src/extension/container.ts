import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { DynaforgeApi, Timings } from './api';
import { ChatParticipant } from './chat/chatParticipant';
import { registerCommands } from './commands/registerCommands';
import { DISPLAY_NAME } from './constants';
import { ArtifactCodeLens } from './editor/artifactCodeLens';
import { DriftCodeActions } from './editor/driftCodeActions';
import { DriftDiagnostics } from './editor/driftDiagnostics';
import { ScopeDecorations } from './editor/scopeDecorations';
import { ActionRunner } from './engine/actionRunner';
import { LiveRuns } from './engine/liveRuns';
import { Disposable, toDisposable } from './lifecycle';
import { ProjectModel } from './project/projectModel';
import { ProjectWatcher } from './project/projectWatcher';
import type { Services } from './services';
import { Settings } from './settings';
import { registerTools } from './tools/registerTools';
import { ChangesTree } from './views/changesTree';
import { StatusBar } from './views/statusBar';

/**
 * The composition root: builds every part of the face once, wires them together and owns
 * them. Parts get `Services` (interfaces), never the container. The chat participant and the
 * language-model tools are registered here like the views; the dashboard webview will slot in
 * the same way (see docs/architecture.md, "The VS Code face").
 */
export class Container extends Disposable implements Services {
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  readonly model: ProjectModel;
  readonly runner: ActionRunner;
  readonly runs = new LiveRuns();
  private readonly tree: ChangesTree;
  private readonly statusBar: StatusBar;
  private readonly decorations: ScopeDecorations;
  private readonly chat: ChatParticipant;
  private readonly tools: ReadonlyMap<string, vscode.LanguageModelTool<unknown>>;

  private readonly activateMs: number;

  /** `startedAt`: performance.now() when VS Code called `activate`; `loadMs`: how long loading the bundle took before that. */
  constructor(
    readonly context: vscode.ExtensionContext,
    private readonly startedAt: number,
    private readonly loadMs?: number,
  ) {
    super();
    this.log = this._register(vscode.window.createOutputChannel(DISPLAY_NAME, { log: true }));
    this.settings = this._register(new Settings());
    this.model = this._register(new ProjectModel(this.log, this.settings));
    this.runner = new ActionRunner(this.model, this.log);
    this._register(toDisposable(() => this.runs.cancelAll()));

    // Views render the model; none reads the disk itself.
    this.tree = this._register(new ChangesTree(this.model));
    this.statusBar = this._register(new StatusBar(this.model));
    const diagnostics = this._register(new DriftDiagnostics(this.model));
    this._register(new DriftCodeActions(diagnostics));
    this._register(new ArtifactCodeLens(this.model));
    this.decorations = this._register(new ScopeDecorations(this.model));
    this._register(new ProjectWatcher(this.model, this.settings));
    for (const d of registerCommands(this)) this._register(d);
    // Chat and agents: `@df` and the language-model tools Copilot's agent mode calls.
    this.chat = this._register(new ChatParticipant(this));
    const tools = registerTools(this);
    for (const d of tools.disposables) this._register(d);
    this.tools = tools.tools;
    // Later slices: the dashboard webview, the same way.

    this._register(this.settings.onDidChange((s) => this.log.info(`settings: model source ${s.modelSource}, auto refresh ${s.refreshAuto} (${s.refreshDebounceMs} ms)`)));
    this.activateMs = performance.now() - startedAt;
    this.log.info(`Dynaforge ${String(context.extension.packageJSON.version)} activated in ${this.activateMs.toFixed(0)} ms${loadMs === undefined ? '' : ` after ${loadMs.toFixed(0)} ms loading`} (${vscode.workspace.isTrusted ? 'trusted' : 'Restricted Mode: read-only'})`);
    void this.model.refresh('activation');
  }

  private timings(): Timings {
    const since = (t: number | undefined) => (t === undefined ? undefined : t - this.startedAt);
    const firstSnapshotMs = since(this.model.firstAt.snapshot);
    const firstDriftMs = since(this.model.firstAt.drift);
    return { activateMs: this.activateMs, ...(this.loadMs !== undefined ? { loadMs: this.loadMs } : {}), ...(firstSnapshotMs !== undefined ? { firstSnapshotMs } : {}), ...(firstDriftMs !== undefined ? { firstDriftMs } : {}), lastRefresh: this.model.lastRefresh };
  }

  get api(): DynaforgeApi {
    return {
      timings: () => this.timings(),
      snapshot: () => this.model.snapshot,
      drift: () => this.model.drift,
      refreshCount: () => this.model.refreshCount,
      whenIdle: () => this.model.whenIdle(),
      tree: this.tree,
      decorations: this.decorations,
      chat: this.chat.handler,
      tool: (name) => this.tools.get(name),
      statusBar: () => ({ text: this.statusBar.item.text, visible: this.model.snapshot.state === 'ready', ...(typeof this.statusBar.item.command === 'object' ? { command: this.statusBar.item.command.command } : {}) }),
    };
  }
}
