import * as vscode from 'vscode';
import { deriveAndRecord } from '../../core/artifacts/deriveRecorded';
import type { DerivableArtifact } from '../../core/artifacts/derive';
import { Commands } from '../constants';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { DeriveArg, parseArg } from './args';
import type { DfCommand } from './command';

const ARTIFACTS: readonly { readonly artifact: DerivableArtifact; readonly detail: string }[] = [
  { artifact: 'spec', detail: 'spec.md from the brief' },
  { artifact: 'plan', detail: 'plan.md from the spec' },
  { artifact: 'tasks', detail: 'tasks.md from the plan (keeps the state of tasks already there)' },
];

/** Dynaforge: Derive Spec, Plan or Tasks… — `dynaforge spec|plan|tasks CH-###`, then opens the file. */
export class DeriveCommand implements DfCommand {
  readonly id = Commands.Derive;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(DeriveArg, arg, 'Derive') ?? {};
    const chId = a.chId ?? (await pickChange(this.s.model, 'The change to derive an artifact of', (c) => c.change.status === 'open'));
    if (!chId) return undefined;
    const artifact =
      a.artifact ??
      (await vscode.window.showQuickPick(ARTIFACTS.map((x) => ({ label: `${x.artifact}.md`, description: x.detail, artifact: x.artifact })), { title: 'Dynaforge: Derive', placeHolder: `What to derive for ${chId}` }))?.artifact;
    if (!artifact) return undefined;
    const result = await this.s.runner.run({ name: artifact, args: [artifact, chId], title: `derive ${artifact}.md of ${chId}` }, async (ctx) => {
      const ws = await ctx.workspace();
      ctx.chId = chId;
      const r = await deriveAndRecord(ws, chId, artifact, ws.actor('user'), await ctx.correlationId());
      return { file: vscode.Uri.file(`${ws.layout.root}/changes/${chId}/${artifact}.md`).toString(), action: r.action };
    });
    if (result?.ok && (typeof arg !== 'object' || arg === null || (arg as { open?: unknown }).open !== false)) {
      await vscode.window.showTextDocument(vscode.Uri.parse(result.value.file), { preview: false });
    }
    return result;
  }
}
