import * as vscode from 'vscode';
import { STAGE_ARTIFACTS } from '../../core/approvals/approvals';
import { STAGES, type Stage } from '../../core/schema/change';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import { tasksInText } from '../project/loadSnapshot';
import type { ProjectModel } from '../project/projectModel';
import { latestDecisions } from '../views/changeSummary';
import { changeFileOf } from './artifactPaths';

/** The stages whose approval requires `name` (brief.md → frame; tasks.md → execute, validate). */
function stagesOf(name: string): Stage[] {
  return STAGES.filter((s) => STAGE_ARTIFACTS[s].required.includes(name));
}

const TASK_ICON = { todo: 'circle-large-outline', doing: 'sync', done: 'pass', dropped: 'circle-slash' } as const;
const TOP = new vscode.Range(0, 0, 0, 0);

/**
 * Approve where you read: on a change's artifacts, `Approve <stage>` · `Deny` (or `approval
 * stale — re-approve`) for the stage that file belongs to, and `Reconcile (n)` while the change
 * has drift; on task lines of tasks.md, the task's state (click to change it) and `Start` or
 * `Done (with evidence)`, which run the engine's task start/done. Built from the model and the
 * document's own text: typing never triggers a rescan of the project.
 */
export class ArtifactCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly model: ProjectModel) {
    super();
    this._register(model.onDidChange(() => this.changed.fire()));
    this._register(vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/changes/CH-*/*.md' }, this));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const s = this.model.snapshot;
    const file = changeFileOf(doc.uri, s.root);
    const view = file && this.model.change(file.chId);
    if (!file || !view) return [];
    const lenses: vscode.CodeLens[] = [];
    const lens = (title: string, command = '', args?: unknown, range = TOP) => lenses.push(new vscode.CodeLens(range, { title, command, ...(args !== undefined ? { arguments: [args] } : {}) }));
    const chId = file.chId;
    const status = view.status;
    if (status && view.change.status === 'open') {
      const latest = latestDecisions(status);
      for (const stage of stagesOf(file.name)) {
        const a = latest.get(stage);
        if (stage !== status.stage && !a) continue; // a later stage: nothing to decide yet
        const act = (title: string, command: string) => lens(title, command, { chId, stage });
        if (!s.trusted) {
          lens(`$(lock) ${stage}: ${a ? (a.approval.decision === 'denied' ? 'denied' : a.current ? 'approved' : 'approval stale') : 'awaiting approval'} (Restricted Mode: read-only)`);
        } else if (a?.approval.decision === 'approved' && a.current) {
          lens(`$(pass) ${stage} approved by ${a.approval.by}`);
        } else if (a?.approval.decision === 'approved') {
          act(`$(warning) ${stage} approval stale — re-approve`, Commands.Approve);
          act('Deny', Commands.Deny);
        } else {
          if (a?.approval.decision === 'denied') lens(`$(error) ${stage} denied: ${a.approval.note ?? ''}`);
          act(`Approve ${stage}`, Commands.Approve);
          act('Deny', Commands.Deny);
        }
      }
      const drift = this.model.driftOf(chId).length;
      if (drift && s.trusted) lens(`Reconcile (${drift})`, Commands.Reconcile, { chId });
      else if (drift) lens(`${drift} drift`);
    }
    if (file.name === 'tasks.md') {
      const open = view.change.status === 'open';
      for (const t of tasksInText(doc.getText(), file.rel)) {
        const range = new vscode.Range(t.line - 1, 0, t.line - 1, 0);
        const state = `$(${TASK_ICON[t.state]}) ${t.state}`;
        if (!s.trusted) {
          lens(state, '', undefined, range);
          continue;
        }
        // The state (a click changes it by hand), then the engine's own step for it: Start takes
        // a baseline of the working copy, Done records the diff since then as evidence and verifies it.
        lens(state, Commands.SetTaskState, { uri: doc.uri.toString(), line: t.line }, range);
        const ref = { chId, task: t.id };
        if (open && t.state === 'todo') lens('$(play) Start', Commands.StartTask, ref, range);
        if (open && t.state === 'doing') lens('$(check) Done (with evidence)', Commands.CompleteTask, ref, range);
      }
    }
    return lenses;
  }
}
