import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import type { Settings } from '../settings';
import type { ProjectModel } from './projectModel';

/**
 * What on disk can change what the views show: the project's records (changes/, audit/,
 * .dynaforge/), the Implementer runs' run.json and .retain markers, and git's refs (a checkout, commit, merge or pull). Edits in the editor do not
 * count until they are saved, so typing never rescans. Events are handed to the model, which
 * debounces them into one refresh.
 */
const PATTERNS = ['{changes,audit,.dynaforge}/**', 'artifacts/work/*/*/{run.json,.retain}', '.git/{HEAD,packed-refs}', '.git/refs/**'];

/** Our own lock files come and go during every action: they say nothing about the project. */
const IGNORED = /[\\/]\.dynaforge[\\/]state[\\/]locks([\\/]|$)/;

export class ProjectWatcher extends Disposable {
  private watchers: vscode.Disposable[] = [];
  private watching = '';

  constructor(
    private readonly model: ProjectModel,
    private readonly settings: Settings,
  ) {
    super();
    this._register(model.onDidChange(() => this.rewatch()));
    this._register(settings.onDidChange(() => this.rewatch()));
    this._register({ dispose: () => this.clear() });
    this.rewatch();
  }

  private rewatch(): void {
    const s = this.model.snapshot;
    const bases = this.settings.value.refreshAuto ? [...new Set([s.folder, s.root].filter((x): x is string => x !== undefined))] : [];
    const key = bases.join('\0');
    if (key === this.watching) return;
    this.clear();
    this.watching = key;
    for (const base of bases) {
      for (const pattern of PATTERNS) {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), pattern));
        const on = (uri: vscode.Uri) => (IGNORED.test(uri.fsPath) ? undefined : this.model.request(`${uri.fsPath} changed`));
        this.watchers.push(w, w.onDidCreate(on), w.onDidChange(on), w.onDidDelete(on));
      }
    }
  }

  private clear(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    this.watching = '';
  }
}
