import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';

/** Dynaforge: Show Log — the "Dynaforge" output channel. */
export class ShowLogCommand implements DfCommand {
  readonly id = Commands.ShowLog;
  constructor(private readonly s: Services) {}

  execute(): void {
    this.s.log.show(true);
  }
}
