import * as vscode from 'vscode';
import { Commands } from '../constants';
import { startTaskAction } from '../engine/taskActions';
import type { Services } from '../services';
import { parseArg, TaskRefArg } from './args';
import type { DfCommand } from './command';
import { resolveTask } from './taskPick';

/**
 * Dynaforge: Start Task… — `dynaforge task start T-### --change CH-###`: doing, with a baseline
 * of the working copy. Chat buttons name the task; from the palette it is picked.
 */
export class StartTaskCommand implements DfCommand {
  readonly id = Commands.StartTask;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const ref = await resolveTask(this.s, parseArg(TaskRefArg, arg, 'Start Task') ?? {}, 'todo', 'start');
    if (!ref) return undefined;
    const result = await startTaskAction(this.s, ref);
    if (result?.ok) void vscode.window.showInformationMessage(`Dynaforge: started ${result.value.task.id} of ${result.value.change}: ${result.value.task.text}. Do the work, then mark it done.`);
    return result;
  }
}
