import type * as vscode from 'vscode';
import { DfError } from '../../core/errors';
import { Workspace } from '../../core/workspace';
import type { ChatCommandName } from '../constants';
import type { ActionResult, Via } from '../engine/actionRunner';
import type { ChangeView } from '../project/snapshot';
import type { Services } from '../services';
import type { ChatOut } from './chatOut';

/** One request to `@df`, as a command handler sees it. */
export interface ChatCall {
  readonly s: Services;
  readonly out: ChatOut;
  /** What was typed after the command. */
  readonly prompt: string;
  readonly request: vscode.ChatRequest;
  readonly token: vscode.CancellationToken;
}

/** What a handler tells the participant: the change it was about and what to suggest next. */
export interface ChatAnswer {
  readonly chId?: string;
  readonly followups?: readonly vscode.ChatFollowup[];
}

/**
 * How a command may touch the project, which decides what Restricted Mode allows:
 * `read` answers from the files (read-only, also in Restricted Mode), `runs` reads but runs
 * git or other programs, `writes` changes the project (through the ActionRunner).
 */
export type ChatAccess = 'read' | 'runs' | 'writes';

/** One slash command of `@df` (one file per related group under handlers/). */
export interface ChatCommand {
  readonly name: ChatCommandName;
  readonly access: ChatAccess;
  /** False for commands that make sense without a project (`doctor`). */
  readonly needsProject?: boolean;
  run(c: ChatCall): Promise<ChatAnswer | void>;
}

/** How the chat runs engine actions: it shows outcomes itself, and records itself as the chat. */
export const CHAT_VIA: Via = { quiet: true, role: 'vscode chat' };

/** A followup that asks `@df` for another command. */
export function followup(command: ChatCommandName, prompt: string, label: string): vscode.ChatFollowup {
  return { command, prompt, label };
}

/** The change a command is about: the one named, else the active one, else a usage error saying how to name one. */
export function changeOf(c: ChatCall, given: string | undefined, command: ChatCommandName): ChangeView {
  const snap = c.s.model.snapshot;
  const id = given ?? snap.active?.id;
  if (!id) throw new DfError('usage', 'which change? none was named and none is active', `name one, e.g. \`@df /${command} CH-001\` (\`@df /status\` lists them)`, { field: 'change id' });
  const view = c.s.model.change(id);
  if (!view) throw new DfError('not-found', `there is no change ${id} in this project`, '`@df /status` lists the changes', { file: `changes/${id}/change.yaml` });
  return view;
}

/** The engine on the project, for reading (the snapshot says there is one). */
export function openWorkspace(c: ChatCall): Promise<Workspace> {
  const root = c.s.model.snapshot.root;
  if (!root) throw new DfError('not-found', 'this folder has no Dynaforge project', 'initialize one: Dynaforge: Initialize Project');
  return Workspace.open({ cwd: root, env: process.env });
}

/** The value of an action, or undefined after showing why there is none. */
export function valueOf<T>(c: ChatCall, result: ActionResult<T>): T | undefined {
  if (!result) {
    c.out.para('Cancelled: nothing was done.');
    return undefined;
  }
  if (!result.ok) {
    c.out.error(result.error);
    return undefined;
  }
  return result.value;
}
