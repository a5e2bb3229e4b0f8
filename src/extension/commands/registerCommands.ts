import * as vscode from 'vscode';
import { isDfError } from '../../core/errors';
import { REPORT_SCHEME } from '../constants';
import type { Services } from '../services';
import { showError } from '../ui/errors';
import { AbortRunCommand } from './abortRun';
import { ActiveChangeActionsCommand } from './activeChangeActions';
import { AnalyzeCommand } from './analyze';
import { ApproveCommand } from './approve';
import { CaptureCommand } from './capture';
import { CheckCommand } from './check';
import { ChecklistCommand } from './checklist';
import { ClarifyCommand } from './clarify';
import type { DfCommand } from './command';
import { CompleteTaskCommand } from './completeTask';
import { DenyCommand } from './deny';
import { DeriveCommand } from './derive';
import { DoctorCommand } from './doctor';
import { ImpactCommand } from './impact';
import { ImplementCommand } from './implement';
import { InitCommand } from './init';
import { NewChangeCommand } from './newChange';
import { OpenChangeCommand } from './openChange';
import { OpenWalkthroughCommand } from './openWalkthrough';
import { ReconcileCommand } from './reconcile';
import { RefreshCommand } from './refresh';
import { ReportDocuments } from './report';
import { ResumeRunCommand } from './resumeRun';
import { SetTaskStateCommand } from './setTaskState';
import { ShowAuditCommand } from './showAudit';
import { ShowLogCommand } from './showLog';
import { StartTaskCommand } from './startTask';
import { StatusCommand } from './status';
import { TraceCommand } from './trace';
import { UseChangeCommand } from './useChange';
import { ValidateCommand } from './validate';
import { WaiveCommand } from './waive';
import { WritePromptFilesCommand } from './writePromptFiles';

/** Registers every command of the face; the returned disposables belong to the caller. */
export function registerCommands(s: Services): vscode.Disposable[] {
  // The palette's reports (status, trace, check, doctor, Implementer runs): read-only documents.
  const reports = new ReportDocuments();
  const commands: DfCommand[] = [
    new InitCommand(s),
    new NewChangeCommand(s),
    new UseChangeCommand(s),
    new ApproveCommand(s),
    new DenyCommand(s),
    new ReconcileCommand(s),
    new DeriveCommand(s),
    new OpenChangeCommand(s),
    new SetTaskStateCommand(s),
    new RefreshCommand(s),
    new ShowLogCommand(s),
    new StartTaskCommand(s),
    new CompleteTaskCommand(s),
    new AbortRunCommand(s),
    new WritePromptFilesCommand(s),
    new ShowAuditCommand(s, reports),
    new OpenWalkthroughCommand(s),
    new CaptureCommand(s),
    new ImpactCommand(s),
    new ImplementCommand(s, reports),
    new ResumeRunCommand(s, reports),
    new TraceCommand(s, reports),
    new StatusCommand(s, reports),
    new ClarifyCommand(s),
    new AnalyzeCommand(s),
    new ChecklistCommand(s),
    new DoctorCommand(s, reports),
    new CheckCommand(s, reports),
    new ValidateCommand(s),
    new WaiveCommand(s),
    new ActiveChangeActionsCommand(s),
  ];
  const registered = commands.map((c) =>
    vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
      try {
        return await c.execute(...args);
      } catch (e) {
        // Bad arguments and bugs: said once, in our words, instead of VS Code's generic failure.
        showError(e, s.log, c.id);
        return { ok: false, error: isDfError(e) ? { code: e.code, message: e.message, fix: e.fix } : { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
      }
    }),
  );
  return [...registered, reports, vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports)];
}
