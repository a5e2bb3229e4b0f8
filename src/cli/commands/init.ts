import type { Command } from 'commander';
import { gitToplevel } from '../../core/repo/git';
import { layoutAt } from '../../core/repo/layout';
import { parseAgents } from '../../core/init/agentFiles';
import { initProject, isInitialized } from '../../core/init/init';
import { clockFromEnv } from '../../core/workspace';
import type { CliContext } from '../context';
import type { Runner } from '../program';

export function registerInit(program: Command, run: Runner): void {
  program
    .command('init')
    .description('create .dynaforge/, changes/ and audit/ (idempotent; never overwrites a file you edited)')
    .option('--force', 'overwrite edited files too, keeping a .bak copy of each')
    .option('--agents <agents...>', 'also write command files for these agents: copilot (.github/prompts/df.*.prompt.md: /df.new, /df.implement, … in Copilot Chat)')
    .action(run({ name: 'init', workspace: false }, async (ctx: CliContext, ...args: unknown[]) => {
      const opts = args[0] as { force?: boolean; agents?: string[] };
      const agents = parseAgents(opts.agents ?? []);
      const top = await gitToplevel(ctx.cwd);
      const root = top ?? ctx.cwd;
      const layout = layoutAt(root);
      // An existing project's audit log must take the record before init touches any file.
      // A config that does not load is init's to repair (--force), so that is no reason to stop here.
      if (isInitialized(layout)) (await ctx.workspace().catch(() => undefined))?.audit.assertWritable();
      const report = initProject(layout, clockFromEnv(ctx.env), { force: Boolean(opts.force), agents });
      const ws = await ctx.workspace();
      ws.audit.assertWritable();
      await ws.audit.append({
        type: 'project.initialized',
        actor: ws.actor('user'),
        correlation_id: ctx.correlationId,
        payload: { written: report.written, kept: report.kept, upgraded: report.upgraded, backups: report.backups },
      });
      ctx.emit({ ...report, git: Boolean(top) }, () => {
        const lines = [`Dynaforge project at ${root}`];
        if (report.written.length) lines.push(`  created: ${report.written.join(', ')}`);
        if (report.upgraded.length) lines.push(`  upgraded: ${report.upgraded.join(', ')}`);
        if (report.backups.length) lines.push(`  backed up before overwriting: ${report.backups.join(', ')}`);
        if (report.kept.length) lines.push(`  kept your edits: ${report.kept.join(', ')} (use --force to replace them; a backup is kept)`);
        if (!report.written.length && !report.upgraded.length) lines.push('  already up to date');
        if (report.ignoreLines.length) lines.push(`  added to .gitignore/.gitattributes: ${report.ignoreLines.join(', ')}`);
        if (!top) lines.push('  note: not a git repository. Everything works; these need git: id checks across branches, approver identity, capture and drift. Run `git init` to get them.');
        if (agents.includes('copilot')) lines.push('  Copilot Chat: /df.new, /df.status, /df.implement, … (prompt files in .github/prompts/)');
        lines.push('Next: dynaforge new "What you want to change"');
        return lines.join('\n');
      });
    }));
}
