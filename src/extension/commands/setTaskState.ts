import * as vscode from 'vscode';
import { formatTask, parseTasks, TASK_STATES, type TaskState } from '../../core/artifacts/tasksFormat';
import { DfError } from '../../core/errors';
import { Commands } from '../constants';
import type { Services } from '../services';
import { showError } from '../ui/errors';
import { parseArg, TaskStateArg } from './args';
import type { DfCommand } from './command';

const STATE_HELP: Record<TaskState, string> = { todo: 'not started', doing: 'in progress', done: 'finished', dropped: 'not going to be done' };

/**
 * Sets the state of a task line in tasks.md (the task-line CodeLens). The line is rewritten in
 * the tasks.md format by the engine's formatter, as an editor edit (so it can be undone), and
 * saved: the file watcher then refreshes the views like for any other edit.
 */
export class SetTaskStateCommand implements DfCommand {
  readonly id = Commands.SetTaskState;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(TaskStateArg, arg, 'Set Task State');
    if (!vscode.workspace.isTrusted) return { ok: false, error: { code: 'untrusted', message: 'Restricted Mode: task states are read-only here' } };
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(a.uri));
      if (a.line > doc.lineCount) throw new DfError('usage', `${doc.uri.fsPath} has no line ${a.line}`, 'the file changed meanwhile: click the CodeLens again');
      const line = doc.lineAt(a.line - 1);
      const parsed = parseTasks(line.text).lines[0];
      if (parsed?.kind !== 'task') throw new DfError('usage', `line ${a.line} of ${doc.uri.fsPath} is not a task line`, 'task lines look like "- [ ] T-001 text"', { file: doc.uri.fsPath, line: a.line });
      const task = parsed.task;
      const state =
        a.state ??
        (
          await vscode.window.showQuickPick(
            TASK_STATES.map((st) => ({ label: st, description: `${STATE_HELP[st]}${st === task.state ? ' (now)' : ''}`, state: st })),
            { title: `Dynaforge: ${task.id}`, placeHolder: `State of ${task.id} ${task.text}` },
          )
        )?.state;
      if (!state) return undefined;
      if (state !== task.state) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, line.range, formatTask({ ...task, state }));
        if (!(await vscode.workspace.applyEdit(edit))) throw new DfError('io', `the edit of ${doc.uri.fsPath} was refused`, 'is the file read-only? Edit the task line by hand');
        await doc.save();
      }
      this.s.log.info(`${task.id}: ${task.state} → ${state}`);
      return { ok: true, value: { id: task.id, from: task.state, to: state } };
    } catch (e) {
      showError(e, this.s.log, 'Set Task State');
      return { ok: false, error: { code: e instanceof DfError ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
  }
}
