import { CHAT_COMMANDS, type ChatCommandName } from '../constants';
import type { ChatCommand } from './chatCommand';
import { analyzeCommand, checklistCommand, clarifyCommand } from './handlers/analysis';
import { approveCommand, denyCommand } from './handlers/decide';
import { planCommand, tasksCommand } from './handlers/design';
import { doctorCommand } from './handlers/doctor';
import { captureCommand, impactCommand } from './handlers/evidence';
import { implementCommand } from './handlers/implement';
import { newCommand } from './handlers/newChange';
import { statusCommand } from './handlers/status';
import { checkCommand, reconcileCommand } from './handlers/sync';
import { traceCommand } from './handlers/trace';

/** Every slash command of `@df`, by name (constants.ts lists the names; package.json declares them). */
export const CHAT_HANDLERS: Readonly<Record<ChatCommandName, ChatCommand>> = {
  new: newCommand,
  capture: captureCommand,
  impact: impactCommand,
  plan: planCommand,
  tasks: tasksCommand,
  implement: implementCommand,
  approve: approveCommand,
  deny: denyCommand,
  reconcile: reconcileCommand,
  trace: traceCommand,
  status: statusCommand,
  clarify: clarifyCommand,
  analyze: analyzeCommand,
  checklist: checklistCommand,
  doctor: doctorCommand,
  check: checkCommand,
};

/** One line per command, for the help answer. */
export const CHAT_HELP: Readonly<Record<ChatCommandName, string>> = {
  new: 'frame a new change from what you want (the PM writes title and brief)',
  capture: 'turn a diff (--working, --staged, --from A..B) into a change, or evidence with --into',
  impact: 'files, co-changes, requirements, tests, suggested risk, conflicts',
  plan: 'the Designer writes the spec, then plan and tasks; stops where you approve',
  tasks: 'the tasks with their state; start or finish one by hand',
  implement: 'the Implementer works the tasks, live; resume, abort',
  approve: 'approve a stage (your git identity and the hashes it covers)',
  deny: 'deny a stage with a reason (raises a concern)',
  reconcile: 'drift items and how to fix each',
  trace: 'links of a change, FR, WS or TC; or the trace gaps',
  status: 'stage, approvals, blockers, concerns, drift',
  clarify: 'open questions of the spec; answer one with Q-n',
  analyze: 'cross-artifact consistency',
  checklist: 'requirements-hygiene checklist',
  doctor: 'check Node, git, project, model',
  check: 'the CI gate',
};

export function isChatCommand(name: string | undefined): name is ChatCommandName {
  return name !== undefined && (CHAT_COMMANDS as readonly string[]).includes(name);
}
