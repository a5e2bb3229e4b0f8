import type { ImpactWritten } from '../../core/impact/impact';
import { Commands } from '../constants';
import { impactAction } from '../engine/analysisActions';
import { ChangeReportCommand, type ChangeReportSpec } from './changeReport';

/** Dynaforge: Impact… — `dynaforge impact CH-###`: writes changes/CH-###/impact.md and opens it. */
export class ImpactCommand extends ChangeReportCommand<ImpactWritten> {
  readonly id = Commands.Impact;

  protected spec(): ChangeReportSpec<ImpactWritten> {
    return {
      title: 'Impact',
      placeHolder: 'The change whose impact to assess',
      run: (chId) => impactAction(this.s, chId),
      file: (v) => v.file,
      message: ({ report: r }, chId) =>
        `Dynaforge: impact of ${chId}: ${r.files.length + r.unmatched.length} file(s) in scope, ${r.co_changes.length} co-changing, ${r.frs.length} requirement(s), ${r.tcs.length} test case(s); suggested risk tier ${r.risk.suggested}${r.risk.suggested === r.risk.recorded ? '' : ` (recorded: ${r.risk.recorded})`}${r.conflicts.length ? `; conflicts with ${r.conflicts.map((c) => c.id).join(', ')}` : ''}.`,
    };
  }
}
