import { describeCounts } from '../../core/analyze/findings';
import { Commands } from '../constants';
import { analysisAction, type AnalysisValues } from '../engine/analysisActions';
import { ChangeReportCommand, type ChangeReportSpec } from './changeReport';

/**
 * Dynaforge: Checklist… — `dynaforge checklist CH-###`: writes changes/CH-###/checklist.md
 * (automatic items evaluated, manual ones kept as ticked) and opens it to tick the manual ones.
 */
export class ChecklistCommand extends ChangeReportCommand<AnalysisValues['checklist']> {
  readonly id = Commands.Checklist;

  protected spec(): ChangeReportSpec<AnalysisValues['checklist']> {
    return {
      title: 'Checklist',
      placeHolder: 'The change to run the checklist of',
      run: (chId) => analysisAction(this.s, 'checklist', chId),
      file: (v) => v.report.checklist.file,
      edit: true,
      message: ({ report, written }, chId) => `Dynaforge: checklist of ${chId}: ${report.checklist.done} of ${report.checklist.total} item(s) done; ${report.status} (${describeCounts(report.counts)})${written ? '' : '; checklist.md was already up to date'}.`,
    };
  }
}
