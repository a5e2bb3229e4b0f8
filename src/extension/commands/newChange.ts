import * as vscode from 'vscode';
import { sha256 } from '../../core/canonical';
import { setActive } from '../../core/store/activeChange';
import { serializeChange } from '../../core/store/changeStore';
import { Commands } from '../constants';
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
    const use = a.use ?? true;
    const result = await this.s.runner.run({ name: 'new', args: ['new', title, ...(use ? ['--use'] : [])], title: 'create a change' }, async (ctx) => {
      const ws = await ctx.workspace();
      const change = await ws.store.create({ title });
      const file = ws.store.relFile(change.id);
      try {
        await ws.audit.append({ type: 'change.created', ch_id: change.id, actor: ws.actor('user'), correlation_id: await ctx.correlationId(), payload: { title: change.title, origin: change.origin, file, hash: sha256(serializeChange(change)) } });
      } catch (e) {
        ws.store.discard(change.id); // no change without its change.created event
        throw e;
      }
      ctx.chId = change.id;
      if (use) {
        await ws.audit.append({ type: 'change.activated', ch_id: change.id, actor: ws.actor('user'), correlation_id: await ctx.correlationId(), payload: ws.branch ? { branch: ws.branch } : {} });
        setActive(ws.layout, change.id, ws.branch);
      }
      return { id: change.id, title: change.title, brief: vscode.Uri.file(`${ws.layout.root}/${ws.store.relFile(change.id, 'brief.md')}`).toString() };
    });
    if (result?.ok && a.open !== false) await vscode.window.showTextDocument(vscode.Uri.parse(result.value.brief), { preview: false });
    return result;
  }
}
