import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';
import { decide } from './decide';

/** Dynaforge: Deny Stage… — `dynaforge deny CH-### --stage <stage> --note "…"` (raises a concern). */
export class DenyCommand implements DfCommand {
  readonly id = Commands.Deny;
  constructor(private readonly s: Services) {}

  execute(arg?: unknown): Promise<unknown> {
    return decide(this.s, 'denied', arg);
  }
}
