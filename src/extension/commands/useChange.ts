import { activateRecorded } from '../../core/store/recorded';
import { Commands } from '../constants';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { ChangeArg, parseArg } from './args';
import type { DfCommand } from './command';

/** Dynaforge: Switch Active Change… — `dynaforge use CH-###` (also what the status bar item runs). */
export class UseChangeCommand implements DfCommand {
  readonly id = Commands.UseChange;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const chId = parseArg(ChangeArg, arg, 'Switch Active Change')?.chId ?? (await pickChange(this.s.model, 'The change to work on'));
    if (!chId) return undefined;
    return this.s.runner.run({ name: 'use', args: ['use', chId], title: `switch to ${chId}` }, async (ctx) => {
      const ws = await ctx.workspace();
      const change = ws.store.read(chId); // must exist
      ctx.chId = chId;
      await activateRecorded(ws, chId, ws.actor('user'), await ctx.correlationId());
      const winner = ws.activeChange();
      return { id: chId, title: change.title, active: winner?.id ?? chId, ...(winner && winner.id !== chId ? { shadowedBy: winner.source } : {}) };
    });
  }
}
