import type * as vscode from 'vscode';
import { z } from 'zod';
import { Tools } from '../constants';
import { completeTaskAction } from '../engine/taskActions';
import type { Services } from '../services';
import { ChangeInput, confirm, failure, parseInput, result, TOOL_VIA, unwrap } from './tool';

const Input = z.strictObject({
  task: z.string().trim().regex(/^t-\d{3,}$/i, 'a task id like T-003'),
  change: ChangeInput.optional(),
  verify: z.array(z.string().trim().min(1)).optional(),
});
type CompleteInput = z.input<typeof Input>;

/**
 * `dynaforge_complete_task`: `dynaforge task done T-###` — the diff since the start is recorded
 * as evidence and the declared tests are run; only with changed files and passing tests is the
 * task done. Otherwise it stays in progress and the result says what to fix.
 */
export class CompleteTaskTool implements vscode.LanguageModelTool<CompleteInput> {
  static readonly id = Tools.CompleteTask;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<CompleteInput>): vscode.PreparedToolInvocation {
    const task = String(options.input?.task ?? '?');
    return confirm(`Complete ${task} with evidence?`, `Records the diff since **${task}** started as evidence in \`evidence.json\`, runs the project's declared tests, and marks the task done only if files changed and the tests pass.`, `Completing ${task}`);
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<CompleteInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const i = parseInput(CompleteTaskTool.id, Input, options.input);
      const r = unwrap(CompleteTaskTool.id, await completeTaskAction(this.s, { task: i.task, ...(i.change ? { chId: i.change } : {}) }, i.verify ? { verify: i.verify } : {}, TOOL_VIA));
      if (r.outcome === 'done') {
        const e = r.evidence;
        return result(`${r.task} of ${r.change} is done, with evidence ${r.evidence_ref}: ${e.files.length} file(s) changed, verification ${e.verification.status}.${r.warnings.length ? ` Warnings: ${r.warnings.join('; ')}.` : ''} Next: ${Tools.ListTasks} for the next task.`, {
          change: r.change,
          task: r.task,
          evidence: r.evidence_ref,
          files: e.files.map((f) => ({ path: f.path, status: f.status })),
          verification: e.verification.status,
        });
      }
      const fix = r.reason === 'no-changes' ? 'make the changes the task asks for, then call this tool again' : r.reason === 'unverified' ? 'the project declares no test: ask the user to declare tests[] in .dynaforge/config.yaml, or to finish it with `dynaforge task done --no-verify`' : 'fix what failed (see the output below), then call this tool again';
      return result(`${r.task} of ${r.change} is NOT done (${r.reason}): ${r.concern.summary}. It stays in progress; concern ${r.change}/${r.concern.id} was raised. What to do: ${fix}.`, {
        change: r.change,
        task: r.task,
        reason: r.reason,
        concern: `${r.change}/${r.concern.id}`,
        files: r.files.map((f) => f.path),
        failed: r.failed.map((f) => ({ name: f.name, command: f.command, exit: f.exit, timed_out: f.timed_out, output_tail: f.output_tail })),
      });
    } catch (e) {
      throw failure(CompleteTaskTool.id, e);
    }
  }
}
