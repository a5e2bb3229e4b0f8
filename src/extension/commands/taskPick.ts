import * as vscode from 'vscode';
import type { TaskState } from '../../core/artifacts/tasksFormat';
import type { TaskRef } from '../engine/taskActions';
import type { ChangeView } from '../project/snapshot';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';

/**
 * The task a Start Task / Complete Task works on: the one given (chat buttons, tests), else
 * picked from the palette — the change (open ones with a task in `state`, the active first),
 * then its tasks in that state. Undefined when cancelled or there is none.
 */
export async function resolveTask(s: Services, given: { readonly chId?: string | undefined; readonly task?: string | undefined }, state: TaskState, verb: 'start' | 'complete'): Promise<TaskRef | undefined> {
  if (given.task) return { task: given.task, ...(given.chId ? { chId: given.chId } : {}) };
  const waiting = state === 'todo' ? 'to do' : 'in progress';
  const has = (c: ChangeView) => c.change.status === 'open' && c.tasks.some((t) => t.state === state);
  if (!given.chId && !s.model.snapshot.changes.some(has)) {
    void vscode.window.showInformationMessage(`Dynaforge: no open change has a task ${waiting}${state === 'todo' ? ' (tasks.md is written with the plan: "Dynaforge: Derive Spec, Plan or Tasks…")' : ' ("Dynaforge: Start Task…" starts one)'}.`);
    return undefined;
  }
  const chId = given.chId ?? (await pickChange(s.model, `The change whose task to ${verb}`, has));
  if (!chId) return undefined;
  const tasks = s.model.change(chId)?.tasks.filter((t) => t.state === state) ?? [];
  if (!tasks.length) {
    void vscode.window.showInformationMessage(`Dynaforge: ${chId} has no task ${waiting}.`);
    return undefined;
  }
  const items = tasks.map((t) => ({ label: t.id, description: t.text, detail: `tasks.md:${t.line}`, id: t.id }));
  const picked = await vscode.window.showQuickPick(items, { title: `Dynaforge: ${verb === 'start' ? 'Start' : 'Complete'} a Task of ${chId}`, placeHolder: verb === 'start' ? 'The task to start (its baseline is the working copy now)' : 'The task to complete (the diff since its start is the evidence)', matchOnDescription: true });
  return picked ? { chId, task: picked.id } : undefined;
}
