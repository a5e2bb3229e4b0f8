import * as vscode from 'vscode';
import { COPILOT_PROMPTS_DIR } from '../../core/init/agentFiles';
import { initProject } from '../../core/init/init';
import { gitToplevel } from '../../core/repo/git';
import { layoutAt } from '../../core/repo/layout';
import { clockFromEnv } from '../../core/workspace';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';

/**
 * Dynaforge: Write Copilot Prompt Files — `dynaforge init --agents copilot`: the project's files
 * as init keeps them, plus `.github/prompts/df.<command>.prompt.md`, which give `/df.new`,
 * `/df.implement`, … in Copilot Chat. Idempotent; a prompt file the user edited is kept.
 */
export class WritePromptFilesCommand implements DfCommand {
  readonly id = Commands.WritePromptFiles;
  constructor(private readonly s: Services) {}

  async execute(): Promise<unknown> {
    const result = await this.s.runner.run({ name: 'init', args: ['init', '--agents', 'copilot'], title: 'write the Copilot prompt files' }, async (ctx) => {
      const layout = layoutAt((await gitToplevel(ctx.folder)) ?? ctx.folder);
      const report = initProject(layout, clockFromEnv(process.env), { agents: ['copilot'] });
      const ws = await ctx.workspace();
      await ws.audit.append({ type: 'project.initialized', actor: ws.actor('user'), correlation_id: await ctx.correlationId(), payload: { written: report.written, kept: report.kept, upgraded: report.upgraded, backups: report.backups } });
      const prompts = (list: readonly string[]) => list.filter((f) => f.startsWith(`${COPILOT_PROMPTS_DIR}/`));
      return { root: layout.root, written: prompts(report.written), upgraded: prompts(report.upgraded), kept: prompts(report.kept), unchanged: prompts(report.unchanged) };
    });
    if (result?.ok) {
      const v = result.value;
      const parts = [v.written.length ? `${v.written.length} written` : '', v.upgraded.length ? `${v.upgraded.length} updated` : '', v.unchanged.length ? `${v.unchanged.length} already up to date` : '', v.kept.length ? `${v.kept.length} kept (you edited them)` : ''].filter(Boolean);
      void vscode.window.showInformationMessage(`Dynaforge: Copilot prompt files in ${COPILOT_PROMPTS_DIR}/: ${parts.join(', ')}. Type /df.new, /df.status, /df.implement … in Copilot Chat.`);
    }
    return result;
  }
}
