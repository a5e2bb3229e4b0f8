import type { Command } from 'commander';
import { parseChangeId } from '../../core/store/changeIds';
import { clearActive } from '../../core/store/activeChange';
import { activateRecorded } from '../../core/store/recorded';
import type { CliContext } from '../context';
import { activeVia } from '../output';
import type { Runner } from '../program';

export function registerUse(program: Command, run: Runner): void {
  program
    .command('use')
    .description('set the active change for this working copy (DF_CHANGE overrides; a ch/CH-012-… branch implies one)')
    .argument('[id]', 'change id; omit to show the active change')
    .option('--clear', 'forget the active change')
    .action(run({ name: 'use', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { clear?: boolean }];
      const ws = await ctx.workspace();
      if (opts.clear) {
        clearActive(ws.layout);
        const left = ws.activeChange();
        ctx.emit({ active: left ?? null }, left ? `Cleared; ${left.id} is still active via ${activeVia(left.source, ws.branch)}` : 'No active change.');
        return;
      }
      if (given === undefined) {
        const a = ws.activeChange();
        ctx.emit({ active: a ?? null }, a ? `${a.id} (via ${activeVia(a.source, ws.branch)})` : 'No active change. Set one with: dynaforge use CH-###');
        return;
      }
      const id = parseChangeId(given);
      const change = ws.store.read(id); // must exist
      ctx.chId = id;
      await activateRecorded(ws, id, ws.actor('user'), ctx.correlationId);
      const winner = ws.activeChange();
      const shadow = winner && winner.id !== id ? ` (but DF_CHANGE=${ctx.env.DF_CHANGE} takes precedence in this shell)` : '';
      ctx.emit({ active: { id, source: 'use' }, title: change.title }, `Active change: ${id}: ${change.title}${shadow}`);
    }));
}
