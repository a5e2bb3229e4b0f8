import { Commands, type CommandId } from '../constants';
import type { Services } from '../services';
import type { DfCommand } from './command';
import { implement } from './implementRun';
import type { ReportDocuments } from './report';

/** Dynaforge: Implement… — `dynaforge implement CH-### [--max-steps K]`: the Implementer's micro-loop, with progress; Cancel stops it (resumable). */
export class ImplementCommand implements DfCommand {
  readonly id: CommandId = Commands.Implement;
  protected readonly resume: boolean = false;
  constructor(
    private readonly s: Services,
    private readonly reports: ReportDocuments,
  ) {}

  execute(arg?: unknown): Promise<unknown> {
    return implement(this.s, this.reports, arg, this.resume);
  }
}
