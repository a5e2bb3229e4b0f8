import * as vscode from 'vscode';
import { Commands } from '../constants';
import { abortRunAction } from '../engine/implementAction';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { ChangeArg, parseArg } from './args';
import type { DfCommand } from './command';

/**
 * Dynaforge: Abort Implementer Run… — `dynaforge implement abort CH-###`: a run going on is
 * stopped, then the files of the newest run go back to what they were (edits made since are
 * kept). From the palette it asks first; a chat button names the change and is the decision.
 */
export class AbortRunCommand implements DfCommand {
  readonly id = Commands.AbortRun;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const given = parseArg(ChangeArg, arg, 'Abort Implementer Run')?.chId;
    const chId = given ?? (await pickChange(this.s.model, 'The change whose newest Implementer run to undo', (c) => c.change.status === 'open'));
    if (!chId) return undefined;
    if (!given) {
      const go = await vscode.window.showWarningMessage(`Undo the newest Implementer run of ${chId}? The files it changed go back to what they were (files edited since are kept) and the evidence it recorded is withdrawn.`, { modal: true }, 'Abort the Run');
      if (!go) return undefined;
    }
    const result = await abortRunAction(this.s, chId);
    if (result?.ok) {
      const r = result.value;
      void vscode.window.showInformationMessage(`Dynaforge: aborted ${r.folder}: ${r.restored.length} file(s) restored, ${r.deleted.length} deleted${r.kept.length ? `, ${r.kept.length} kept (edited since)` : ''}${r.withdrawn.length ? `; evidence withdrawn: ${r.withdrawn.join(', ')}` : ''}.`);
    }
    return result;
  }
}
