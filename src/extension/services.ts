import type * as vscode from 'vscode';
import type { ActionRunner } from './engine/actionRunner';
import type { LiveRuns } from './engine/liveRuns';
import type { ProjectModel } from './project/projectModel';
import type { Settings } from './settings';

/**
 * What commands, views, the chat participant, the language-model tools and (later) the
 * dashboard get from the composition root. Only interfaces cross this line, so a part can be
 * built and tested on its own.
 */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  readonly model: ProjectModel;
  readonly runner: ActionRunner;
  /** Implementer runs going on in this window (what Abort stops). */
  readonly runs: LiveRuns;
}
