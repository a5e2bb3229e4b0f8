import type * as vscode from 'vscode';
import { z } from 'zod';
import { listTasks, nextTask } from '../../core/tasks/taskWork';
import { Workspace } from '../../core/workspace';
import { Tools } from '../constants';
import type { Services } from '../services';
import { ChangeInput, failure, parseInput, result, ToolError } from './tool';

const Input = z.strictObject({ change: ChangeInput.optional() });
type ListTasksInput = z.input<typeof Input>;

/** `dynaforge_list_tasks`: `dynaforge task list` + `task next` — the tasks of a change, their state, what each waits for, the next ready one. */
export class ListTasksTool implements vscode.LanguageModelTool<ListTasksInput> {
  static readonly id = Tools.ListTasks;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<ListTasksInput>): vscode.PreparedToolInvocation {
    const change = typeof options.input?.change === 'string' ? options.input.change : undefined;
    return { invocationMessage: `Listing the tasks of ${change ?? 'the active change'}` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<ListTasksInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const input = parseInput(ListTasksTool.id, Input, options.input);
      await this.s.model.whenIdle();
      const snap = this.s.model.snapshot;
      const id = input.change ?? snap.active?.id;
      if (!id) throw new ToolError(`No change is active and none was named: call ${ListTasksTool.id} with "change" (${Tools.Status} lists the changes).`);
      if (!snap.trusted || !snap.root) {
        // Restricted Mode: what tasks.md says, without git (no baselines).
        const view = this.s.model.change(id);
        if (!view) throw new ToolError(`There is no change ${id}.`);
        return result(`${id}: ${view.tasks.filter((t) => t.state === 'done').length} of ${view.tasks.length} task(s) done (read-only: Restricted Mode).`, { change: id, tasks: view.tasks });
      }
      const ws = await Workspace.open({ cwd: snap.root, env: process.env });
      const l = listTasks(ws, id);
      const n = nextTask(ws, id);
      const tasks = l.tasks.map((t) => ({ id: t.id, state: t.state, text: t.text, files: t.files, deps: t.deps, parallel: t.parallel, waits_for: t.blocked_by.map((b) => b.id), ...(t.evidence ? { evidence: t.evidence } : {}), started_here: Boolean(t.started) }));
      const next = n.next ? `Next ready: ${n.next.id} "${n.next.text}" — start it with ${Tools.StartTask}.` : n.total > 0 && n.done === n.total ? 'All tasks are done.' : n.doing.length ? `In progress: ${n.doing.map((t) => t.id).join(', ')} — finish with ${Tools.CompleteTask}.` : 'No task is ready to start.';
      return result(`${id}: ${n.done} of ${n.total} task(s) done (${l.file}). ${next}`, { change: id, file: l.file, tasks, problems: l.problems });
    } catch (e) {
      throw failure(ListTasksTool.id, e);
    }
  }
}
