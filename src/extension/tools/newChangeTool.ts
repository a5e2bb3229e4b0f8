import type * as vscode from 'vscode';
import { z } from 'zod';
import { Tools } from '../constants';
import { newChangeAction } from '../engine/newChangeAction';
import type { Services } from '../services';
import { confirm, failure, parseInput, result, TOOL_VIA, unwrap } from './tool';

const Input = z.strictObject({
  title: z.string().trim().min(1, 'a one-line title is required').max(200),
  scope: z.array(z.string().trim().min(1)).max(100).optional(),
  frs: z.array(z.string().trim().regex(/^FR-[\w.-]+$/, 'requirement ids look like FR-1')).optional(),
  use: z.boolean().optional(),
});
type NewChangeInput = z.input<typeof Input>;

/** `dynaforge_new_change`: `dynaforge new "<title>" [--scope …] [--fr …] --use` — every piece of work belongs to a change. */
export class NewChangeTool implements vscode.LanguageModelTool<NewChangeInput> {
  static readonly id = Tools.NewChange;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<NewChangeInput>): vscode.PreparedToolInvocation {
    const i = options.input ?? ({} as NewChangeInput);
    const scope = Array.isArray(i.scope) && i.scope.length ? `\n\nScope: ${i.scope.map((p) => `\`${p}\``).join(', ')}` : '';
    return confirm('Create a Dynaforge change?', `Creates a change record and its brief under \`changes/\`, titled **${String(i.title ?? '')}**${i.use === false ? '' : ', and makes it the active change'}.${scope}`, `Creating the change "${String(i.title ?? '')}"`);
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<NewChangeInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const i = parseInput(NewChangeTool.id, Input, options.input);
      const v = unwrap(NewChangeTool.id, await newChangeAction(this.s, { title: i.title, use: i.use ?? true, ...(i.scope ? { scope: i.scope } : {}), ...(i.frs ? { frs: i.frs } : {}) }, TOOL_VIA));
      const brief = `changes/${v.id}/brief.md`;
      return result(`Created ${v.id} "${v.title}"${v.active ? ', now the active change' : ''}. Describe the request in ${brief}; a person then approves its frame before design work starts.`, { id: v.id, title: v.title, active: v.active, brief, change: `changes/${v.id}/change.yaml` });
    } catch (e) {
      throw failure(NewChangeTool.id, e);
    }
  }
}
