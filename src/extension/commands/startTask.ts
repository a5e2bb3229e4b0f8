import * as vscode from 'vscode';
import { Commands } from '../constants';
import { startTaskAction } from '../engine/taskActions';
import type { Services } from '../services';
import { parseArg, TaskRefArg } from './args';
import type { DfCommand } from './command';

/** Start a task (chat buttons) — `dynaforge task start T-### --change CH-###`: doing, with a baseline of the working copy. */
export class StartTaskCommand implements DfCommand {
  readonly id = Commands.StartTask;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(TaskRefArg, arg, 'Start Task');
    const result = await startTaskAction(this.s, { task: a.task, ...(a.chId ? { chId: a.chId } : {}) });
    if (result?.ok) void vscode.window.showInformationMessage(`Dynaforge: started ${result.value.task.id} of ${result.value.change}: ${result.value.task.text}. Do the work, then mark it done.`);
    return result;
  }
}
