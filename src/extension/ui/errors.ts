import * as vscode from 'vscode';
import { isDfError } from '../../core/errors';
import { Commands } from '../constants';

/** One line for the log: what, where, what to do. */
export function describeError(e: unknown): string {
  if (isDfError(e)) {
    const where = e.location();
    return `${e.message}${where && !e.message.includes(where) ? ` (${where})` : ''} — ${e.fix}`;
  }
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * Tells the person what went wrong and what to do next. Engine errors carry their own fix;
 * anything else is a bug of ours, pointed at the log. Does not wait for the notification to
 * be dismissed, so the command that failed returns at once.
 */
export function showError(e: unknown, log: vscode.LogOutputChannel, what: string): void {
  log.error(`${what}: ${describeError(e)}`);
  const text = isDfError(e) ? `Dynaforge: ${describeError(e)}` : `Dynaforge: ${what} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`;
  void vscode.window.showErrorMessage(text, 'Show Log').then((pick) => (pick === 'Show Log' ? vscode.commands.executeCommand(Commands.ShowLog) : undefined));
}
