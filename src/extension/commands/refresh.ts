import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';

/** Dynaforge: Refresh — reads the project again (it also refreshes by itself when files change). */
export class RefreshCommand implements DfCommand {
  readonly id = Commands.Refresh;
  constructor(private readonly s: Services) {}

  async execute(): Promise<unknown> {
    await this.s.model.refresh('Refresh command');
    return { ok: true, value: { state: this.s.model.snapshot.state, changes: this.s.model.snapshot.changes.length } };
  }
}
