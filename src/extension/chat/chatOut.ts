import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { isDfError } from '../../core/errors';

/** A failure as the engine and ActionResult describe it. */
export interface ErrorShape {
  readonly code?: string;
  readonly message: string;
  readonly fix?: string;
}

/** Markdown special characters in text from disk or a person (titles, notes) shown as they are. */
export function esc(text: string): string {
  return text.replace(/([\\`*_[\]|<>~])/g, '\\$1');
}

/** Engine text (messages, fixes): as `esc`, but its `code` spans (commands to run) stay code. */
export function escEngine(text: string): string {
  return text.replace(/([\\*_[\]|<>~])/g, '\\$1');
}

/**
 * What a chat answer is written with: the stable ChatResponseStream parts only (markdown,
 * progress, anchors and references to files, buttons) — no proposed API. Paths are
 * repository-relative; `root` turns them into URIs.
 */
export class ChatOut {
  constructor(
    readonly stream: vscode.ChatResponseStream,
    readonly root: string | undefined,
  ) {}

  /** Markdown, as given. */
  md(text: string): void {
    this.stream.markdown(text);
  }

  /** One paragraph of markdown. */
  para(text: string): void {
    this.stream.markdown(`${text}\n\n`);
  }

  progress(text: string): void {
    this.stream.progress(text);
  }

  uri(rel: string): vscode.Uri {
    return vscode.Uri.file(isAbsolute(rel) || !this.root ? rel : join(this.root, rel));
  }

  /** An inline link to a file (and line), shown where the text is. */
  file(rel: string, line?: number, title?: string): void {
    const uri = this.uri(rel);
    this.stream.anchor(line ? new vscode.Location(uri, new vscode.Position(Math.max(0, line - 1), 0)) : uri, title ?? (line ? `${rel}:${line}` : rel));
  }

  /** A file the answer drew on (the list of references above the answer). */
  reference(rel: string, line?: number): void {
    const uri = this.uri(rel);
    this.stream.reference(line ? new vscode.Location(uri, new vscode.Position(Math.max(0, line - 1), 0)) : uri);
  }

  button(title: string, command: string, ...args: unknown[]): void {
    this.stream.button({ title, command, arguments: args });
  }

  /** An error in the answer: what is wrong, where, and what to do next. */
  error(e: unknown): void {
    const d = describe(e);
    this.para(`**Could not do it:** ${escEngine(d.message)}${d.fix ? `\n\n**What to do:** ${escEngine(d.fix)}` : ''}`);
  }
}

function describe(e: unknown): ErrorShape {
  if (isDfError(e)) {
    const where = e.location();
    return { code: e.code, message: `${e.message}${where && !e.message.includes(where) ? ` (${where})` : ''}`, fix: e.fix };
  }
  if (typeof e === 'object' && e !== null && 'message' in e && typeof (e as ErrorShape).message === 'string') return e as ErrorShape;
  return { message: e instanceof Error ? e.message : String(e) };
}
