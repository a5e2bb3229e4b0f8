import * as vscode from 'vscode';
import { CHAT_COMMANDS, ChatIds, Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';
import { describeError } from '../ui/errors';
import { followup, type ChatAnswer, type ChatCall, type ChatCommand } from './chatCommand';
import { CHAT_HANDLERS, CHAT_HELP, isChatCommand } from './chatCommands';
import { ChatOut, esc } from './chatOut';
import { renderChange } from './handlers/status';

/** What an answer leaves behind for the followup provider (ChatResult.metadata). */
export interface ChatMetadata {
  readonly command: string;
  readonly chId?: string;
  readonly followups: readonly vscode.ChatFollowup[];
}

/**
 * The `@df` chat participant: each slash command is a handler (chat/handlers/) over the engine.
 * Writes go through the ActionRunner like every other action of the face; in Restricted Mode
 * the participant answers read-only and refuses the rest, saying why.
 */
export class ChatParticipant extends Disposable {
  /** The request handler, also what the integration tests drive with a fake stream. */
  readonly handler: vscode.ChatRequestHandler = (request, context, stream, token) => this.handle(request, context, stream, token);

  constructor(private readonly s: Services) {
    super();
    const participant = this._register(vscode.chat.createChatParticipant(ChatIds.Participant, this.handler));
    participant.iconPath = vscode.Uri.joinPath(s.context.extensionUri, 'media', 'icon.svg');
    participant.followupProvider = { provideFollowups: (result) => (result.metadata as ChatMetadata | undefined)?.followups.slice() ?? [] };
  }

  private async handle(request: vscode.ChatRequest, _context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    await this.s.model.whenIdle();
    const out = new ChatOut(stream, this.s.model.snapshot.root);
    const call: ChatCall = { s: this.s, out, prompt: request.prompt, request, token };
    const name = request.command ?? 'help';
    this.s.log.info(`chat: @${ChatIds.Name} /${name} ${request.prompt}`.trim());
    let answer: ChatAnswer | void;
    try {
      if (!isChatCommand(request.command)) answer = await this.help(call);
      else {
        const command = CHAT_HANDLERS[request.command];
        answer = this.refusal(call, command) ?? (await command.run(call));
      }
    } catch (e) {
      this.s.log.error(`chat /${name}: ${describeError(e)}`);
      out.error(e);
      answer = {};
    }
    const metadata: ChatMetadata = { command: name, ...(answer?.chId ? { chId: answer.chId } : {}), followups: answer?.followups ?? [] };
    return { metadata };
  }

  /** Why a command cannot run here (no folder, no project, Restricted Mode), said in the answer; undefined when it can. */
  private refusal(c: ChatCall, command: ChatCommand): ChatAnswer | undefined {
    const snap = this.s.model.snapshot;
    if (command.needsProject !== false) {
      if (snap.state === 'noFolder') {
        c.out.para('Dynaforge works in a folder, and none is open: open your repository (File > Open Folder…).');
        return {};
      }
      if (snap.state === 'uninitialized') {
        c.out.para('This folder has no Dynaforge project yet (`.dynaforge/`). Initializing creates `.dynaforge/`, `changes/` and `audit/` and never overwrites your files.');
        if (snap.trusted) c.out.button('Initialize Dynaforge', Commands.Init);
        return {};
      }
      if (snap.state === 'broken') {
        c.out.error(snap.error ?? { message: 'the project does not load' });
        return {};
      }
    }
    if (command.access !== 'read' && !snap.trusted) {
      c.out.para(
        `**Restricted Mode:** this folder is not trusted, so Dynaforge runs nothing here — no git, no model, no writes — and \`/${command.name}\` ${command.access === 'writes' ? 'would change the project' : 'needs git or other programs'}. I can answer read-only: \`/status\` and \`/tasks\` show what is on disk. Trust the folder to do more.`,
      );
      c.out.button('Manage Workspace Trust', 'workbench.trust.manage');
      return { followups: [followup('status', '', 'Status (read-only)')] };
    }
    return undefined;
  }

  /** No command: what `@df` can do, and where the active change stands. */
  private async help(c: ChatCall): Promise<ChatAnswer> {
    const snap = this.s.model.snapshot;
    c.out.para(`**Dynaforge** keeps AI-assisted work governed: every piece of work is a change, each stage is approved by a person, and drift shows when things move.${snap.trusted ? '' : ' *(Restricted Mode: read-only.)*'}`);
    c.out.para(CHAT_COMMANDS.map((n) => `- \`/${n}\` — ${esc(CHAT_HELP[n])}`).join('\n'));
    if (c.prompt.trim()) c.out.para(`To act on “${esc(c.prompt.trim())}”, pick a command: e.g. \`@${ChatIds.Name} /new ${esc(c.prompt.trim())}\` starts a change.`);
    const active = snap.active ? this.s.model.change(snap.active.id) : undefined;
    if (snap.state === 'ready' && active) return renderChange(c, active);
    return { followups: [followup('status', '', 'Status'), ...(c.prompt.trim() ? [followup('new', c.prompt.trim(), 'Start a change from this')] : [])] };
  }
}
