import { statusCommand } from '../chat/handlers/status';
import { Commands } from '../constants';
import { pickChange } from '../ui/prompts';
import { StatusArg, parseArg } from './args';
import { ChatReportCommand, type ChatReport } from './report';

const ALL = 'all';

/**
 * Dynaforge: Show Status… — `dynaforge status [CH-###|--all]` as a report: stage, approvals,
 * blockers, concerns, drift and tasks of one change, or every change. Read from what is on
 * disk, so it also works in Restricted Mode.
 */
export class StatusCommand extends ChatReportCommand {
  readonly id = Commands.Status;

  protected async report(arg: unknown): Promise<ChatReport | undefined> {
    const a = parseArg(StatusArg, arg, 'Show Status') ?? {};
    const which = a.all ? ALL : (a.chId ?? (await pickChange(this.s.model, 'The change to show, or all of them', undefined, [{ id: ALL, label: '$(list-unordered) All changes', description: 'one line each' }])));
    if (!which) return undefined;
    const all = which === ALL;
    return { command: statusCommand, prompt: which, name: all ? 'Status of all changes' : `Status of ${which}`, args: ['status', all ? '--all' : which] };
  }
}
