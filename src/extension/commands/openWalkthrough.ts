import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';

/** The id of package.json `contributes.walkthroughs[0]`. */
export const WALKTHROUGH_ID = 'gettingStarted';

/** Dynaforge: Open Walkthrough — the Getting Started walkthrough (`<publisher>.<name>#<walkthrough id>`). */
export class OpenWalkthroughCommand implements DfCommand {
  readonly id = Commands.OpenWalkthrough;
  constructor(private readonly s: Services) {}

  async execute(): Promise<unknown> {
    const walkthrough = `${this.s.context.extension.id}#${WALKTHROUGH_ID}`;
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, false);
    return { ok: true, value: { walkthrough } };
  }
}
