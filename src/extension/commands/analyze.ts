import { describeCounts } from '../../core/analyze/findings';
import { Commands } from '../constants';
import { analysisAction, type AnalysisValues } from '../engine/analysisActions';
import { ChangeReportCommand, type ChangeReportSpec } from './changeReport';

/**
 * Dynaforge: Analyze… — `dynaforge analyze CH-###`: cross-artifact consistency (unmapped
 * requirements, untested criteria, stale evidence, the constitution); opens the report it wrote.
 */
export class AnalyzeCommand extends ChangeReportCommand<AnalysisValues['analyze']> {
  readonly id = Commands.Analyze;

  protected spec(): ChangeReportSpec<AnalysisValues['analyze']> {
    return {
      title: 'Analyze',
      placeHolder: 'The change to analyze',
      filter: () => true,
      run: (chId) => analysisAction(this.s, 'analyze', chId),
      file: (v) => v.files.markdown,
      message: ({ report }, chId) => `Dynaforge: analyze ${chId}: ${report.status} (${describeCounts(report.counts)}).`,
      warn: ({ report }) => report.status !== 'pass',
    };
  }
}
