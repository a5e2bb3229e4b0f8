import * as vscode from 'vscode';
import type { FixAction } from '../../core/drift/model';
import { Commands, DISPLAY_NAME } from '../constants';
import { Disposable } from '../lifecycle';
import type { DriftDiagnostics } from './driftDiagnostics';

const TITLES: Record<FixAction, string> = {
  regenerate: 'Regenerate',
  're-approve': 'Re-approve',
  attach: 'Attach the commits to a change',
  capture: 'Capture the commits as a new change',
  accept: 'Accept as intentional…',
};

/** Quick fixes on our diagnostics: each runs the matching reconcile action through the engine. */
export class DriftCodeActions extends Disposable implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: DriftDiagnostics) {
    super();
    this._register(vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: DriftCodeActions.kinds }));
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!vscode.workspace.isTrusted) return [];
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DISPLAY_NAME) continue;
      const f = this.diagnostics.findingAt(doc.uri, d);
      if (!f) continue;
      f.actions.forEach((action, i) => {
        const ca = new vscode.CodeAction(`Dynaforge: ${TITLES[action]} (${f.kind})`, vscode.CodeActionKind.QuickFix);
        ca.diagnostics = [d];
        ca.isPreferred = i === 0 && action !== 'accept';
        ca.command = { command: Commands.Reconcile, title: TITLES[action], arguments: [{ key: f.key, action, ...(f.ch_id ? { chId: f.ch_id } : {}) }] };
        out.push(ca);
      });
    }
    return out;
  }
}
