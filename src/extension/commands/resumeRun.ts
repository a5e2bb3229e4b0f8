import { Commands } from '../constants';
import { ImplementCommand } from './implement';

/** Dynaforge: Resume Implementer Run… — `dynaforge implement resume CH-### [--max-steps K]`: the newest run continues after its last finished step. */
export class ResumeRunCommand extends ImplementCommand {
  override readonly id = Commands.ResumeRun;
  protected override readonly resume = true;
}
