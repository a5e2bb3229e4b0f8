import * as vscode from 'vscode';
import { DfError } from '../../core/errors';
import type { RunReport } from '../../core/implementer/implement';
import type { Run } from '../../core/schema/run';
import { Workspace } from '../../core/workspace';
import { ChatOut } from '../chat/chatOut';
import { abortOn } from '../lifecycle';
import { renderImplementerEvent } from '../chat/implementerEvents';
import { Commands } from '../constants';
import type { ActionResult } from '../engine/actionRunner';
import { implementAction } from '../engine/implementAction';
import { chooseModel, type ModelChoice } from '../model/chooseModel';
import type { ChangeView } from '../project/snapshot';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { ImplementArg, parseArg } from './args';
import { MarkdownStream, notify, type ReportDocuments } from './report';

/** The newest run of a change, when it stopped before the end (failed, cancelled, or left running by a window that closed). */
function interrupted(c: ChangeView, s: Services): Run | undefined {
  const run = c.runs[0]?.run;
  return run && (run.status === 'failed' || run.status === 'aborted' || (run.status === 'running' && !s.runs.isRunning(c.change.id))) ? run : undefined;
}

/**
 * Implement and Resume Implementer Run share this: the change (open ones; for a resume, those
 * whose newest run was interrupted), a larger step budget when a resumed run spent its own, the
 * model, then the run in a cancellable progress notification — Cancel stops it, marked aborted
 * and resumable. The Implementer's events make a report; the outcome offers what comes next.
 */
export async function implement(s: Services, reports: ReportDocuments, arg: unknown, resume: boolean): Promise<ActionResult<RunReport>> {
  const a = parseArg(ImplementArg, arg, resume ? 'Resume Implementer Run' : 'Implement') ?? {};
  if (!vscode.workspace.isTrusted) return s.runner.refuseUntrusted({ name: resume ? 'implement resume' : 'implement', args: [], title: resume ? 'resume an Implementer run' : 'run the Implementer' });
  if (resume && !a.chId && !s.model.snapshot.changes.some((c) => interrupted(c, s))) {
    void vscode.window.showInformationMessage('Dynaforge: no Implementer run was interrupted: there is nothing to resume ("Dynaforge: Implement…" starts a run).');
    return undefined;
  }
  const chId = a.chId ?? (await pickChange(s.model, resume ? 'The change whose interrupted Implementer run to resume' : 'The change for the Implementer to work on', (c) => c.change.status === 'open' && (!resume || interrupted(c, s) !== undefined)));
  if (!chId) return undefined;
  const run = resume ? s.model.change(chId)?.runs[0]?.run : undefined;
  const maxSteps = a.maxSteps ?? (run && run.steps_done >= run.max_steps ? await askBudget(chId, run) : undefined);
  if (run && run.steps_done >= run.max_steps && maxSteps === undefined) return undefined;
  const root = s.model.snapshot.root;
  if (!root) throw new DfError('not-found', 'this folder has no Dynaforge project', 'initialize one: Dynaforge: Initialize Project');
  const model = await implementerModel(s, await Workspace.open({ cwd: root, env: process.env }));
  if (!model) return undefined;
  if (model.port.provider === 'none') return noModel(chId, model.why ?? 'none is configured');

  let report: (message: string) => void = () => undefined;
  const log = new MarkdownStream((message) => report(message));
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Dynaforge: the Implementer ${resume ? 'resumes' : 'works on'} ${chId}`, cancellable: true }, (progress, token) => {
    report = (message) => progress.report({ message });
    return implementAction(s, { chId, resume, ...(maxSteps !== undefined ? { maxSteps } : {}), model: () => model.port, onEvent: renderImplementerEvent(new ChatOut(log, root)), signal: abortOn(token) });
  });
  if (result?.ok) finished(reports, root, chId, result.value, log);
  return result;
}

/** A resumed run whose budget is spent needs a larger one (`--max-steps`). */
async function askBudget(chId: string, run: Run): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Dynaforge: Resume ${chId}/run-${run.n}`,
    prompt: `The run has spent its budget of ${run.max_steps} steps: the new budget (total steps)`,
    value: String(run.max_steps + 50),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > run.steps_done ? undefined : `a whole number above ${run.steps_done}`),
  });
  return text === undefined ? undefined : Number(text.trim());
}

/**
 * The model the Implementer uses (dynaforge.model.source, as the chat chooses it). A VS Code
 * chat model is asked for only when it is the one that counts and there are several.
 */
async function implementerModel(s: Services, ws: Workspace): Promise<ModelChoice | undefined> {
  const settings = s.settings.value;
  const without = await chooseModel(settings, ws, undefined);
  if (without.port.provider !== 'none') return without;
  const models = await vscode.lm.selectChatModels();
  const [first] = models;
  if (!first || (await chooseModel(settings, ws, first)).port.provider === 'none') return without;
  const chat = models.length === 1 ? first : (await vscode.window.showQuickPick(models.map((m) => ({ label: m.name, description: `${m.vendor} · ${m.family}`, model: m })), { title: 'Dynaforge: Implement', placeHolder: 'The language model the Implementer works with' }))?.model;
  return chat ? chooseModel(settings, ws, chat) : undefined;
}

/** No model: the person does the tasks, and Dynaforge keeps the evidence (task start / done). */
function noModel(chId: string, why: string): ActionResult<RunReport> {
  const error = { code: 'no-model', message: `the Implementer has no language model: ${why}`, fix: 'do the tasks yourself: "Dynaforge: Start Task…", make the change, then "Dynaforge: Complete Task with Evidence…" (the diff is the evidence)' };
  notify(`Dynaforge: ${error.message}. You can do the tasks yourself: start one, make the change, then complete it — the diff since the start is recorded and the declared tests run.`, [{ title: 'Start Task…', command: Commands.StartTask, arguments: [{ chId }] }], true);
  return { ok: false, error };
}

/** The run's report (its events as they came), and a notification with what to do next. */
function finished(reports: ReportDocuments, root: string, chId: string, r: RunReport, log: MarkdownStream): void {
  const done = r.states.filter((t) => t.status === 'done').length;
  const outcome = `${r.folder} ${r.run.status}: ${done} of ${r.tasks.length} micro-task(s) done in ${r.run.steps_done} of ${r.run.max_steps} steps${r.run.status !== 'succeeded' && r.why ? ` — ${r.why}` : ''}`;
  log.markdown(`\n\n**${outcome}.**${r.files.length ? ` Files: ${r.files.map((f) => `${f.path} (${f.action})`).join(', ')}.` : ''}${r.concerns.length ? ` Concerns: ${r.concerns.join(', ')}.` : ''}`);
  const report = reports.set(`Implementer ${r.folder.split('/').pop() ?? 'run'} of ${chId}`, log.document(`Implementer ${r.folder}`));
  const show = { title: 'Show the Run', command: 'markdown.showPreview', arguments: [report] };
  if (r.run.status === 'succeeded') {
    notify(`Dynaforge: ${outcome}${r.files.length ? `; ${r.files.length} file(s) changed` : ''}.`, [...(r.summary ? [{ title: 'Open Summary', command: 'vscode.open', arguments: [vscode.Uri.joinPath(vscode.Uri.file(root), r.summary)] }] : []), show]);
  } else {
    notify(`Dynaforge: ${outcome}.`, [{ title: 'Resume', command: Commands.ResumeRun, arguments: [{ chId }] }, { title: 'Undo the Run', command: Commands.AbortRun, arguments: [{ chId }] }, show], true);
  }
}
