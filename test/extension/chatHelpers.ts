import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ChatMetadata } from '../../src/extension/chat/chatParticipant';
import type { ChatCommandName } from '../../src/extension/constants';
import { api, waitFor } from './helpers';

/** One part of a chat answer, as the participant streamed it. */
export type Part =
  | { readonly kind: 'markdown'; readonly text: string }
  | { readonly kind: 'progress'; readonly text: string }
  | { readonly kind: 'anchor'; readonly uri: vscode.Uri; readonly line?: number; readonly title?: string }
  | { readonly kind: 'reference'; readonly uri: vscode.Uri }
  | { readonly kind: 'button'; readonly command: vscode.Command }
  | { readonly kind: 'filetree' };

/** A ChatResponseStream that keeps every part, in order (what the chat view would render). */
export class RecordingStream implements vscode.ChatResponseStream {
  readonly parts: Part[] = [];

  markdown(value: string | vscode.MarkdownString): void {
    this.parts.push({ kind: 'markdown', text: typeof value === 'string' ? value : value.value });
  }

  anchor(value: vscode.Uri | vscode.Location, title?: string): void {
    const uri = value instanceof vscode.Location ? value.uri : value;
    this.parts.push({ kind: 'anchor', uri, ...(value instanceof vscode.Location ? { line: value.range.start.line + 1 } : {}), ...(title ? { title } : {}) });
  }

  button(command: vscode.Command): void {
    this.parts.push({ kind: 'button', command });
  }

  filetree(): void {
    this.parts.push({ kind: 'filetree' });
  }

  progress(value: string): void {
    this.parts.push({ kind: 'progress', text: value });
  }

  reference(value: vscode.Uri | vscode.Location): void {
    this.parts.push({ kind: 'reference', uri: value instanceof vscode.Location ? value.uri : value });
  }

  push(): void {
    throw new Error('the participant should use the typed stream methods');
  }

  /** The answer as a person reads it: markdown with anchors inlined by their title. */
  get text(): string {
    return this.parts.map((p) => (p.kind === 'markdown' ? p.text : p.kind === 'anchor' ? (p.title ?? p.uri.path) : '')).join('');
  }

  get progressText(): string[] {
    return this.parts.flatMap((p) => (p.kind === 'progress' ? [p.text] : []));
  }

  get buttons(): vscode.Command[] {
    return this.parts.flatMap((p) => (p.kind === 'button' ? [p.command] : []));
  }

  get anchors(): { path: string; line?: number }[] {
    return this.parts.flatMap((p) => (p.kind === 'anchor' ? [{ path: p.uri.fsPath, ...(p.line ? { line: p.line } : {}) }] : []));
  }
}

export interface ChatReply {
  readonly stream: RecordingStream;
  readonly metadata: ChatMetadata;
}

/**
 * Asks `@df /<command> <prompt>` through the participant's handler with a recording stream —
 * the same handler the chat view calls. `model` is the request's model (the offline test model
 * unless told otherwise).
 */
export async function askDf(command: ChatCommandName | undefined, prompt: string, model?: vscode.LanguageModelChat): Promise<ChatReply> {
  const a = await api();
  const stream = new RecordingStream();
  const request = { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined, model: model ?? (await offlineModel()) } as unknown as vscode.ChatRequest;
  const cts = new vscode.CancellationTokenSource();
  try {
    const result = (await a.chat(request, { history: [] } as unknown as vscode.ChatContext, stream, cts.token)) as vscode.ChatResult;
    return { stream, metadata: result.metadata as ChatMetadata };
  } finally {
    cts.dispose();
  }
}

export const OFFLINE_VENDOR = 'dynaforge-test';

/**
 * A request model that must not be called (the untrusted editor has no offline model
 * installed, and in Restricted Mode nothing may call one).
 */
export function unusableModel(): vscode.LanguageModelChat {
  const no = () => Promise.reject(new Error('expected no model call in this test'));
  return { id: 'none', vendor: 'none', name: 'none', family: 'none', version: '0', maxInputTokens: 0, sendRequest: no, countTokens: no } as unknown as vscode.LanguageModelChat;
}

/** The offline test model (test/e2e/offlineModel), installed next to Dynaforge by the harness. */
export async function offlineModel(): Promise<vscode.LanguageModelChat> {
  const [m] = await vscode.lm.selectChatModels({ vendor: OFFLINE_VENDOR });
  if (!m) throw new Error(`expected the offline test model (vendor ${OFFLINE_VENDOR}) to be installed: the harness installs out/test/offlineModel`);
  return m;
}

function modelDir(): string {
  const d = process.env.DYNAFORGE_E2E_MODEL_DIR;
  if (!d) throw new Error('DYNAFORGE_E2E_MODEL_DIR is not set: run the editor tests with `bash test/e2e/e2e.sh`');
  mkdirSync(d, { recursive: true });
  return d;
}

export interface ScriptedAnswer {
  readonly text?: string;
  readonly toolCalls?: readonly { readonly name: string; readonly input: Record<string, unknown> }[];
}

/** Gives the offline model the answers to play, in order (replacing what is left of an earlier script). */
export function scriptModel(answers: readonly ScriptedAnswer[]): void {
  writeFileSync(join(modelDir(), 'script.json'), JSON.stringify({ answers }, null, 2));
  appendFileSync(join(modelDir(), 'requests.jsonl'), '');
}

/** What is left of the script. */
export function scriptLeft(): number {
  const f = join(modelDir(), 'script.json');
  return existsSync(f) ? ((JSON.parse(readFileSync(f, 'utf8')) as { answers: unknown[] }).answers?.length ?? 0) : 0;
}

/** The Implementer's plan as the model answers it (JSON text). */
export function planAnswer(tasks: { title: string; files: string[]; verify: string[]; id?: string }[]): ScriptedAnswer {
  return { text: JSON.stringify({ spec: { summary: 'Greet people', requirements: ['it greets'] }, plan: { approach: ['add the greeting module'], verification: ['unit'] }, tasks }) };
}

/** Sets `dynaforge.model.source` (user settings) and waits until the extension reads it. */
export async function setModelSource(value: 'config' | 'vscode-lm' | 'none'): Promise<void> {
  await vscode.workspace.getConfiguration().update('dynaforge.model.source', value, vscode.ConfigurationTarget.Global);
  await waitFor(`dynaforge.model.source to be ${value}`, () => vscode.workspace.getConfiguration().get('dynaforge.model.source') === value);
}
