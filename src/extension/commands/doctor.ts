import { doctorCommand } from '../chat/handlers/doctor';
import { Commands } from '../constants';
import { ChatReportCommand, type ChatReport } from './report';

/** Dynaforge: Doctor — `dynaforge doctor` as a report: Node, git, the project, config, audit log, templates, agent CLIs, the model. */
export class DoctorCommand extends ChatReportCommand {
  readonly id = Commands.Doctor;

  protected report(): ChatReport {
    return { command: doctorCommand, prompt: '', name: 'Doctor', args: ['doctor'] };
  }
}
