import type { Command } from 'commander';
import { installHook, uninstallHook } from '../../core/capture/hooks';
import type { CliContext } from '../context';
import type { Runner } from '../program';

export function registerHooks(program: Command, run: Runner): void {
  const hooks = program.command('hooks').description('git hooks: a prepare-commit-msg hook adding a "Change: CH-###" trailer for the active change');
  hooks
    .command('install')
    .description('install the prepare-commit-msg hook (refuses to overwrite a hook that is not ours)')
    .action(run({ name: 'hooks install', workspace: true }, async (ctx: CliContext) => {
      const ws = await ctx.workspace();
      const r = await installHook(ws.layout.root);
      const verb = r.action === 'unchanged' ? 'already installed' : r.action;
      ctx.emit({ hook: r }, `prepare-commit-msg hook ${verb}: ${r.path}\n  commits get a "Change: CH-###" trailer for the active change (see \`dynaforge use\`)`);
    }));
  hooks
    .command('uninstall')
    .description("remove dynaforge's prepare-commit-msg hook (never one that is not ours)")
    .action(run({ name: 'hooks uninstall', workspace: true }, async (ctx: CliContext) => {
      const ws = await ctx.workspace();
      const r = await uninstallHook(ws.layout.root);
      ctx.emit({ hook: r }, r.action === 'removed' ? `Removed ${r.path}` : `No hook to remove at ${r.path}`);
    }));
}
