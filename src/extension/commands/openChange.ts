import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { ChangeArg, parseArg } from './args';
import type { DfCommand } from './command';

/** Dynaforge: Open Change… — opens its brief (or change.yaml when it has none). Read-only: works in Restricted Mode. */
export class OpenChangeCommand implements DfCommand {
  readonly id = Commands.OpenChange;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const chId = parseArg(ChangeArg, arg, 'Open Change')?.chId ?? (await pickChange(this.s.model, 'The change to open'));
    const root = this.s.model.snapshot.root;
    if (!chId || !root) return undefined;
    const view = this.s.model.change(chId);
    const file = view?.artifacts.includes('brief.md') ? 'brief.md' : 'change.yaml';
    const uri = vscode.Uri.joinPath(vscode.Uri.file(root), 'changes', chId, file);
    await vscode.window.showTextDocument(uri, { preview: true });
    return { ok: true, value: { uri: uri.toString() } };
  }
}
