import * as vscode from 'vscode';
import { initProject, isInitialized } from '../../core/init/init';
import { gitToplevel } from '../../core/repo/git';
import { layoutAt } from '../../core/repo/layout';
import { clockFromEnv } from '../../core/workspace';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';

/** Dynaforge: Initialize Project — `dynaforge init` at the root of the repository. */
export class InitCommand implements DfCommand {
  readonly id = Commands.Init;
  constructor(private readonly s: Services) {}

  async execute(): Promise<unknown> {
    const result = await this.s.runner.run({ name: 'init', args: ['init'], title: 'initialize the project' }, async (ctx) => {
      const top = await gitToplevel(ctx.folder);
      const layout = layoutAt(top ?? ctx.folder);
      // An existing project's audit log takes the record before init touches any file.
      if (isInitialized(layout)) (await ctx.workspace().catch(() => undefined))?.audit.assertWritable();
      const report = initProject(layout, clockFromEnv(process.env));
      const ws = await ctx.workspace();
      ws.audit.assertWritable();
      await ws.audit.append({
        type: 'project.initialized',
        actor: ws.actor('user'),
        correlation_id: await ctx.correlationId(),
        payload: { written: report.written, kept: report.kept, upgraded: report.upgraded, backups: report.backups },
      });
      return { root: layout.root, written: report.written, kept: report.kept, git: top !== undefined };
    });
    if (result?.ok) {
      const v = result.value;
      const gitNote = v.git ? '' : ' This folder is not a git repository: approvals, drift and capture need git (run `git init`).';
      void vscode.window.showInformationMessage(`Dynaforge: project initialized at ${v.root} (${v.written.length} file(s) created).${gitNote}`);
    }
    return result;
  }
}
