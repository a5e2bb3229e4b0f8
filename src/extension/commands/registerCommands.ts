import * as vscode from 'vscode';
import { isDfError } from '../../core/errors';
import type { Services } from '../services';
import { showError } from '../ui/errors';
import { AbortRunCommand } from './abortRun';
import { ApproveCommand } from './approve';
import type { DfCommand } from './command';
import { CompleteTaskCommand } from './completeTask';
import { DenyCommand } from './deny';
import { DeriveCommand } from './derive';
import { InitCommand } from './init';
import { NewChangeCommand } from './newChange';
import { OpenChangeCommand } from './openChange';
import { ReconcileCommand } from './reconcile';
import { RefreshCommand } from './refresh';
import { SetTaskStateCommand } from './setTaskState';
import { ShowLogCommand } from './showLog';
import { StartTaskCommand } from './startTask';
import { UseChangeCommand } from './useChange';
import { WritePromptFilesCommand } from './writePromptFiles';

/** Registers every command of the face; the returned disposables belong to the caller. */
export function registerCommands(s: Services): vscode.Disposable[] {
  const commands: DfCommand[] = [
    new InitCommand(s),
    new NewChangeCommand(s),
    new UseChangeCommand(s),
    new ApproveCommand(s),
    new DenyCommand(s),
    new ReconcileCommand(s),
    new DeriveCommand(s),
    new OpenChangeCommand(s),
    new SetTaskStateCommand(s),
    new RefreshCommand(s),
    new ShowLogCommand(s),
    new StartTaskCommand(s),
    new CompleteTaskCommand(s),
    new AbortRunCommand(s),
    new WritePromptFilesCommand(s),
  ];
  return commands.map((c) =>
    vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
      try {
        return await c.execute(...args);
      } catch (e) {
        // Bad arguments and bugs: said once, in our words, instead of VS Code's generic failure.
        showError(e, s.log, c.id);
        return { ok: false, error: isDfError(e) ? { code: e.code, message: e.message, fix: e.fix } : { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
      }
    }),
  );
}
