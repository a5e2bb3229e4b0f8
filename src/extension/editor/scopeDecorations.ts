import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { DRIFT_KINDS, severityRank, type Finding } from '../../core/drift/model';
import { scopeMatcher } from '../../core/implementer/confine';
import { Disposable } from '../lifecycle';
import type { ProjectModel } from '../project/projectModel';

const DRIFT = new Set<Finding['kind']>(DRIFT_KINDS);
const COLORS = { error: 'list.errorForeground', warning: 'list.warningForeground', note: 'descriptionForeground' } as const;

/**
 * File decorations in the Explorer and on editor tabs: files in the active change's scope carry
 * a dot and say so in their tooltip; files a drift item is about carry `!` in the color of its
 * severity (also on their folders), so drift is visible where the files are. Built from the
 * project model: no disk reads when VS Code asks for a decoration.
 */
export class ScopeDecorations extends Disposable implements vscode.FileDecorationProvider {
  private readonly changed = this._register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeFileDecorations = this.changed.event;
  private inScope: (rel: string) => boolean = () => false;
  private activeId: string | undefined;
  private driftByFile = new Map<string, Finding[]>();

  constructor(private readonly model: ProjectModel) {
    super();
    this._register(model.onDidChange(() => this.update()));
    this._register(vscode.window.registerFileDecorationProvider(this));
    this.update();
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const root = this.model.snapshot.root;
    if (uri.scheme !== 'file' || !root) return undefined;
    const rel = relative(root, uri.fsPath).split(sep).join('/');
    if (!rel || rel.startsWith('..')) return undefined;
    const drift = this.driftByFile.get(rel);
    if (drift?.length) {
      const worst = drift.reduce((a, b) => (severityRank(b.severity) < severityRank(a.severity) ? b : a));
      const lines = drift.map((f) => `${f.ch_id ? `${f.ch_id}: ` : ''}${f.message}`);
      return { badge: '!', tooltip: `Dynaforge drift — ${lines.join('; ')}`, color: new vscode.ThemeColor(COLORS[worst.severity]), propagate: true };
    }
    if (this.activeId && this.inScope(rel)) return { badge: '•', tooltip: `In the scope of ${this.activeId} (the active change)`, color: new vscode.ThemeColor('charts.blue') };
    return undefined;
  }

  private update(): void {
    const s = this.model.snapshot;
    const active = s.active && this.model.change(s.active.id);
    // A scope of `.` (the whole repository) would mark every file: nothing to tell apart then.
    const paths = active?.change.scope.paths.filter((p) => p.trim().replace(/^\.\/?$/, '') !== '') ?? [];
    this.activeId = paths.length ? active?.change.id : undefined;
    this.inScope = scopeMatcher(paths);
    const byFile = new Map<string, Finding[]>();
    for (const f of this.model.drift.items) {
      if (!f.file || !DRIFT.has(f.kind)) continue;
      byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    }
    this.driftByFile = byFile;
    this.changed.fire(undefined);
  }
}
