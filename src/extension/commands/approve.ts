import { Commands } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';
import { decide } from './decide';

/** Dynaforge: Approve Stage… — `dynaforge approve CH-### --stage <stage>`. */
export class ApproveCommand implements DfCommand {
  readonly id = Commands.Approve;
  constructor(private readonly s: Services) {}

  execute(arg?: unknown): Promise<unknown> {
    return decide(this.s, 'approved', arg);
  }
}
