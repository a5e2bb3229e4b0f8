import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { ChatCall, ChatCommand } from '../chat/chatCommand';
import { ChatOut } from '../chat/chatOut';
import { REPORT_SCHEME, type CommandId } from '../constants';
import type { ActionResult } from '../engine/actionRunner';
import type { Services } from '../services';
import type { DfCommand } from './command';

/**
 * The palette's read-only reports (status, trace, check, doctor, an Implementer run): Markdown
 * held in memory under `dynaforge-report:` and shown in the Markdown preview. Running a report
 * again updates its open preview.
 */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? `# ${uri.path.slice(1)}\n\nThis report is gone (the window was reloaded): run its command again.\n`;
  }

  /** Sets the report called `name` (its tab title) and returns its URI. */
  set(name: string, markdown: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}.md` });
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * A ChatResponseStream that writes Markdown: what lets the palette show the chat participant's
 * renderers (and so its words) in a document. Links to files become workspace-relative links
 * (`/changes/CH-001/brief.md#L3`), which the Markdown preview opens; buttons, which a preview
 * cannot run, are kept for the caller to offer (`actions`); progress goes to `onProgress`.
 */
export class MarkdownStream implements vscode.ChatResponseStream {
  private text = '';
  private readonly refs: string[] = [];
  readonly actions: vscode.Command[] = [];

  constructor(private readonly onProgress: (message: string) => void = () => undefined) {}

  markdown(value: string | vscode.MarkdownString): void {
    this.text += typeof value === 'string' ? value : value.value;
  }

  anchor(value: vscode.Uri | vscode.Location, title?: string): void {
    this.text += mdLink(value, title);
  }

  reference(value: vscode.Uri | vscode.Location): void {
    this.refs.push(mdLink(value));
  }

  button(command: vscode.Command): void {
    this.actions.push(command);
  }

  progress(value: string): void {
    this.onProgress(value);
  }

  filetree(): void {
    // No answer of ours sends one; a report has nothing to show for it.
  }

  push(): void {
    // Only the typed methods above are used by the renderers.
  }

  /** The report: its heading, what was written, the files it drew on, and the buttons as a list of next steps. */
  document(heading: string): string {
    const refs = this.refs.length ? `\n\n**Files:** ${this.refs.join(' · ')}` : '';
    const next = this.actions.length ? `\n\n**Actions** (offered in the notification): ${this.actions.map((a) => a.title).join(' · ')}` : '';
    return `# ${heading}\n\n${this.text.trim()}${refs}${next}\n`;
  }
}

/** A Markdown link to a file (and line): relative to the first workspace folder when inside it, as the preview resolves `/…`. */
function mdLink(value: vscode.Uri | vscode.Location, title?: string): string {
  const uri = value instanceof vscode.Location ? value.uri : value;
  const line = value instanceof vscode.Location ? `#L${value.range.start.line + 1}` : '';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const rel = folder && uri.scheme === 'file' ? relative(folder, uri.fsPath) : undefined;
  const inside = rel !== undefined && !rel.startsWith('..') && !rel.startsWith(sep);
  const target = inside ? `/${rel.split(sep).map(encodeURIComponent).join('/')}` : uri.toString();
  const label = (title ?? (inside ? rel.split(sep).join('/') : uri.fsPath)).replace(/([\\[\]])/g, '\\$1');
  return `[${label}](${target}${line})`;
}

/** Opens Markdown in the preview (the reader's view); in a plain editor when the Markdown extension is not there. */
export async function showMarkdown(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(uri, { preview: true });
  }
}

/** What a chat report command gives back: where its report is and what it says. */
export interface ReportValue {
  readonly uri: string;
  readonly markdown: string;
}

export interface ChatReport {
  readonly command: ChatCommand;
  /** What would follow `@df /<command>` in the chat: a change id, `all`, a trace id, or nothing. */
  readonly prompt: string;
  /** The report's name: its tab title and heading. */
  readonly name: string;
  /** The equivalent CLI arguments, recorded with the `command` event of a report that opens the engine. */
  readonly args: readonly string[];
}

/**
 * The report handlers (status, trace, check, doctor) read no chat request: they use no model.
 * The palette has none to give, so this stands for it.
 */
const NO_CHAT_REQUEST = undefined as unknown as vscode.ChatRequest;

/**
 * Runs a chat participant's report handler and shows its answer as a Markdown report: the same
 * engine calls and the same words as `@df /<command>`, without duplicating either. A `read`
 * handler answers from the snapshot (also in Restricted Mode, writing nothing); the others open
 * the engine (git), so they go through the ActionRunner: refused in Restricted Mode, recorded
 * as a `command` event like the CLI's. The handler's buttons are offered in a notification.
 */
export async function runChatReport(s: Services, reports: ReportDocuments, r: ChatReport): Promise<ActionResult<ReportValue>> {
  const cts = new vscode.CancellationTokenSource();
  try {
    const stream = new MarkdownStream();
    const call: ChatCall = { s, out: new ChatOut(stream, s.model.snapshot.root), prompt: r.prompt, request: NO_CHAT_REQUEST, token: cts.token };
    const result: ActionResult<unknown> =
      r.command.access === 'read' ? { ok: true, value: await r.command.run(call) } : await s.runner.run({ name: r.command.name, args: r.args, title: r.name.toLowerCase() }, () => r.command.run(call));
    if (!result?.ok) return result;
    const markdown = stream.document(r.name);
    const uri = reports.set(r.name, markdown);
    await showMarkdown(uri);
    if (stream.actions.length) notify(`Dynaforge: ${r.name}`, stream.actions);
    return { ok: true, value: { uri: uri.toString(), markdown } };
  } finally {
    cts.dispose();
  }
}

/**
 * A notification with actions (at most three, as a notification shows): running one runs its
 * command. Not awaited, so the command that shows it returns at once.
 */
export function notify(message: string, actions: readonly vscode.Command[] = [], warn = false): void {
  const shown = actions.slice(0, 3);
  const titles = shown.map((a) => a.title);
  void (warn ? vscode.window.showWarningMessage(message, ...titles) : vscode.window.showInformationMessage(message, ...titles)).then((pick) => {
    const a = shown.find((x) => x.title === pick);
    return a ? vscode.commands.executeCommand(a.command, ...(a.arguments ?? [])) : undefined;
  });
}

/**
 * A palette command whose result is a chat handler's answer as a report (status, trace, check,
 * doctor): the subclass says which report, asking what it needs; undefined when cancelled.
 */
export abstract class ChatReportCommand implements DfCommand {
  abstract readonly id: CommandId;
  constructor(
    protected readonly s: Services,
    private readonly reports: ReportDocuments,
  ) {}

  protected abstract report(arg: unknown): Promise<ChatReport | undefined> | ChatReport;

  async execute(arg?: unknown): Promise<unknown> {
    const r = await this.report(arg);
    return r ? runChatReport(this.s, this.reports, r) : undefined;
  }
}
