import * as vscode from 'vscode';
import { Commands } from '../constants';
import { newChangeAction } from '../engine/newChangeAction';
import type { Services } from '../services';
import { NewChangeArg, parseArg } from './args';
import type { DfCommand } from './command';

/**
 * Dynaforge: New Change… — `dynaforge new "<title>" --use`: the change is created, made the
 * active one, and its brief opened (where its frame is approved).
 */
export class NewChangeCommand implements DfCommand {
  readonly id = Commands.NewChange;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(NewChangeArg, arg, 'New Change') ?? {};
    const title =
      a.title ??
      (await vscode.window.showInputBox({
        title: 'Dynaforge: New Change',
        prompt: 'One line: what do you want to change?',
        placeHolder: 'e.g. Rate-limit the login endpoint',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'a change needs a title'),
      }));
    if (title === undefined) return undefined;
    const result = await newChangeAction(this.s, { title, use: a.use ?? true });
    if (!result?.ok) return result;
    const brief = vscode.Uri.file(result.value.brief).toString();
    if (a.open !== false) await vscode.window.showTextDocument(vscode.Uri.parse(brief), { preview: false });
    return { ok: true, value: { ...result.value, brief } };
  }
}
