import * as vscode from 'vscode';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { ProjectModel } from '../project/projectModel';
import { approvalSummary } from './changeSummary';

/** The active change, its stage and its blockers; a click offers what to do next (or switches the active change). */
export class StatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(private readonly model: ProjectModel) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('dynaforge.activeChange', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Dynaforge: active change';
    this._register(model.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const s = this.model.snapshot;
    if (s.state !== 'ready') {
      this.item.hide();
      return;
    }
    const view = s.active ? this.model.change(s.active.id) : undefined;
    this.item.command = s.trusted ? (s.active ? { command: Commands.ActiveChangeActions, title: 'Active Change Actions' } : { command: Commands.UseChange, title: 'Switch Active Change' }) : undefined;
    if (!s.active) {
      this.item.text = '$(layers) Dynaforge: no active change';
      this.item.tooltip = s.trusted ? 'Click to choose the change you work on' : 'Restricted Mode: read-only';
    } else if (!view?.status) {
      this.item.text = `$(layers) ${s.active.id}: ${view ? 'status unavailable' : 'not found'}`;
      this.item.tooltip = view?.error ? `${view.error.message}\n${view.error.fix}` : `${s.active.id} is active but there is no changes/${s.active.id}/change.yaml`;
    } else {
      const st = view.status;
      const blockers = st.blockers.length;
      this.item.text = `$(layers) ${view.change.id} · ${st.stage}${blockers ? ` · $(warning) ${blockers} blocker${blockers > 1 ? 's' : ''}` : ''}`;
      const tip = new vscode.MarkdownString(undefined, true);
      tip.appendMarkdown(`**${view.change.id}** ${view.change.title}\n\n${st.lifecycle} · stage **${st.stage}** · ${approvalSummary(st).text} (active via ${s.active.source})\n\n`);
      tip.appendMarkdown(blockers ? `**Blockers**\n${st.blockers.map((b) => `- ${b}`).join('\n')}\n\n` : 'No blockers.\n\n');
      if (s.trusted) tip.appendMarkdown('*Click for what to do next, or to switch the active change.*');
      this.item.tooltip = tip;
    }
    this.item.show();
  }
}
