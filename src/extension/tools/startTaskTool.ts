import type * as vscode from 'vscode';
import { z } from 'zod';
import { Tools } from '../constants';
import { startTaskAction } from '../engine/taskActions';
import type { Services } from '../services';
import { ChangeInput, confirm, failure, parseInput, result, TOOL_VIA, unwrap } from './tool';

const Input = z.strictObject({ task: z.string().trim().regex(/^t-\d{3,}$/i, 'a task id like T-003'), change: ChangeInput.optional() });
type StartInput = z.input<typeof Input>;

/** `dynaforge_start_task`: `dynaforge task start T-###` — the task to doing, with a baseline of the working copy to diff against. */
export class StartTaskTool implements vscode.LanguageModelTool<StartInput> {
  static readonly id = Tools.StartTask;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<StartInput>): vscode.PreparedToolInvocation {
    const task = String(options.input?.task ?? '?');
    const change = typeof options.input?.change === 'string' ? options.input.change : 'the active change';
    return confirm(`Start ${task}?`, `Sets **${task}** of ${change} to in progress in \`tasks.md\` and records a baseline of the working copy: the diff from here is the task's evidence when it is completed.`, `Starting ${task}`);
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<StartInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const i = parseInput(StartTaskTool.id, Input, options.input);
      const r = unwrap(StartTaskTool.id, await startTaskAction(this.s, { task: i.task, ...(i.change ? { chId: i.change } : {}) }, TOOL_VIA));
      return result(`Started ${r.task.id} of ${r.change}: ${r.task.text}. Make the change it asks for (inside the change's scope), then call ${Tools.CompleteTask} with task ${r.task.id}.`, { change: r.change, task: r.task.id, text: r.task.text, files: r.task.files, baseline: r.started.baseline, file: r.file });
    } catch (e) {
      throw failure(StartTaskTool.id, e);
    }
  }
}
