import * as vscode from 'vscode';
import { Commands } from '../constants';
import { completeTaskAction } from '../engine/taskActions';
import type { Services } from '../services';
import { parseArg, TaskRefArg } from './args';
import type { DfCommand } from './command';
import { resolveTask } from './taskPick';

/**
 * Dynaforge: Complete Task with Evidence… — `dynaforge task done T-###`: the diff since the start
 * is the evidence and the declared tests verify it; otherwise it stays doing and a concern says
 * why. Chat buttons name the task; from the palette one in progress is picked.
 */
export class CompleteTaskCommand implements DfCommand {
  readonly id = Commands.CompleteTask;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(TaskRefArg, arg, 'Complete Task') ?? {};
    const ref = await resolveTask(this.s, a, 'doing', 'complete');
    if (!ref) return undefined;
    const result = await completeTaskAction(this.s, ref, a.noVerify ? { noVerify: true } : {});
    if (result?.ok) {
      const r = result.value;
      if (r.outcome === 'done') void vscode.window.showInformationMessage(`Dynaforge: ${r.task} of ${r.change} done, with evidence ${r.evidence_ref} (${r.evidence.files.length} file(s)).`);
      else void vscode.window.showWarningMessage(`Dynaforge: ${r.task} is not done (${r.reason}): ${r.concern.summary}. It stays in progress; concern ${r.change}/${r.concern.id}.`);
    }
    return result;
  }
}
