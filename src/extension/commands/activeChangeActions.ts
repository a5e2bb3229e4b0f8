import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import { nextActions } from '../views/changeActions';
import type { DfCommand } from './command';

/**
 * Dynaforge: Active Change Actions… (a click on the status bar): what to do next about the
 * active change — re-approve, reconcile, approve or deny the stage, finish or start a task,
 * open it — or switch to another change. The chosen entry runs its own command.
 */
export class ActiveChangeActionsCommand implements DfCommand {
  readonly id = Commands.ActiveChangeActions;
  constructor(private readonly s: Services) {}

  async execute(): Promise<unknown> {
    const { snapshot } = this.s.model;
    const view = snapshot.active && this.s.model.change(snapshot.active.id);
    if (!view) return vscode.commands.executeCommand(Commands.UseChange);
    const items = [
      ...nextActions(view, this.s.model.driftOf(view.change.id)),
      { label: '$(target) Switch the active change…', detail: `${view.change.id} is active (${snapshot.active?.source ?? ''})`, command: Commands.UseChange, args: undefined },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Dynaforge: ${view.change.id} ${view.change.title}`, placeHolder: view.status ? `stage ${view.status.stage} — what next?` : 'what next?' });
    if (!pick) return undefined;
    return vscode.commands.executeCommand(pick.command, ...(pick.args ? [pick.args] : []));
  }
}
