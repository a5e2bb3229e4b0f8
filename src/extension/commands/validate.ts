import * as vscode from 'vscode';
import type { ValidateResult } from '../../core/qa/validate';
import { abortOn } from '../lifecycle';
import { Commands } from '../constants';
import { validateAction } from '../engine/qaActions';
import { ChangeReportCommand, type ChangeReportSpec } from './changeReport';

/**
 * Dynaforge: Validate… — `dynaforge validate CH-###`: the Tester runs the declared test commands
 * (shown as they start; Cancel stops the one running and records nothing), the QA policy gives
 * the verdict, and QA_REPORT.md opens. A verdict short of PASS offers to waive it.
 */
export class ValidateCommand extends ChangeReportCommand<ValidateResult> {
  readonly id = Commands.Validate;

  protected spec(): ChangeReportSpec<ValidateResult> {
    return {
      title: 'Validate',
      placeHolder: 'The change to validate (runs the test commands of config.yaml)',
      run: (chId) =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Dynaforge: validating ${chId}`, cancellable: true }, (progress, token) =>
          validateAction(this.s, { chId, signal: abortOn(token), onStart: (t) => progress.report({ message: `${t.name}: ${t.command}` }) }),
        ),
      file: (v) => v.reportFile,
      message: ({ results: r, concernId }, chId) => `Dynaforge: ${chId} QA verdict ${r.verdict}${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}${concernId ? ` (concern ${chId}/${concernId})` : ''}.`,
      warn: (v) => v.results.verdict !== 'PASS',
      actions: ({ results: r }, chId) =>
        r.verdict === 'PASS' ? [{ title: 'Approve package', command: Commands.Approve, arguments: [{ chId, stage: 'package' }] }] : [{ title: 'Waive…', command: Commands.Waive, arguments: [{ chId }] }],
    };
  }
}
