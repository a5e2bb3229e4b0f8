import * as vscode from 'vscode';
import { Commands } from '../constants';
import { waiveAction } from '../engine/qaActions';
import type { ChangeView } from '../project/snapshot';
import type { Services } from '../services';
import { askNote, pickChange } from '../ui/prompts';
import { parseArg, WaiveArg } from './args';
import type { DfCommand } from './command';
import { notify } from './report';

const waivable = (c: ChangeView) => c.change.status === 'open' && (c.change.qa_verdict?.verdict === 'CONCERNS' || c.change.qa_verdict?.verdict === 'FAIL');

/**
 * Dynaforge: Waive QA Verdict… — `dynaforge waive CH-### --note "…"`: a CONCERNS or FAIL verdict
 * set aside with a justification, recorded as your approval of the validate stage.
 */
export class WaiveCommand implements DfCommand {
  readonly id = Commands.Waive;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(WaiveArg, arg, 'Waive QA Verdict') ?? {};
    if (!a.chId && !this.s.model.snapshot.changes.some(waivable)) {
      void vscode.window.showInformationMessage('Dynaforge: no open change has a CONCERNS or FAIL verdict to waive ("Dynaforge: Validate…" gives a change its verdict).');
      return undefined;
    }
    const chId = a.chId ?? (await pickChange(this.s.model, 'The change whose QA verdict to waive', waivable));
    if (!chId) return undefined;
    const verdict = this.s.model.change(chId)?.change.qa_verdict?.verdict ?? 'QA';
    const note = a.note ?? (await askNote(`Why may the ${verdict} verdict of ${chId} be set aside? (recorded as your approval of the validate stage)`, true));
    if (note === undefined) return undefined;
    const result = await waiveAction(this.s, chId, note);
    if (result?.ok) {
      const v = result.value;
      notify(`Dynaforge: the ${v.waived} verdict of ${chId} is waived by ${v.change.qa_verdict?.by ?? 'you'}; next: approve the package stage.`, [{ title: 'Approve package', command: Commands.Approve, arguments: [{ chId, stage: 'package' }] }]);
    }
    return result;
  }
}
