import { checkCommand } from '../chat/handlers/sync';
import { Commands } from '../constants';
import { ChatReportCommand, type ChatReport } from './report';

/** Dynaforge: Check (CI Gate) — `dynaforge check` as a report: validation, audit integrity, drift, trace gaps, gates. */
export class CheckCommand extends ChatReportCommand {
  readonly id = Commands.Check;

  protected report(): ChatReport {
    return { command: checkCommand, prompt: '', name: 'Check', args: ['check'] };
  }
}
