import { z } from 'zod';
import { isDfError } from '../errors';
import { cancelledError, ModelError } from './modelError';
import type { ChatEvent, ChatMessage, ChatOptions, ChatRequest, ChatResult, JsonObject, ModelPort, ToolCall } from './modelPort';
import { collectStream } from './modelPort';
import { excerpt } from './toolCalls';

/**
 * The `vscode-lm` provider. The engine may not import `vscode`, so the VS Code face implements
 * `VscodeLmBridge` over `vscode.lm` (a selected `LanguageModelChat`) and passes it to
 * `createModel`. The bridge stays mechanical — shapes in, parts out; the mapping of roles,
 * tools and results is done here, once, for every face.
 */
export interface VscodeLmBridge {
  /** The chosen model for people, e.g. `copilot gpt-4o`. */
  readonly modelName: string;
  /**
   * Sends the request (`LanguageModelChat.sendRequest`, with `signal` turned into a
   * CancellationToken) and returns the response's parts (`response.stream`): text parts as
   * `text`, `LanguageModelToolCallPart` as `tool-call`. Provider errors are thrown as they are.
   */
  sendRequest(request: VscodeLmRequest, signal: AbortSignal): Promise<AsyncIterable<VscodeLmResponsePart>>;
}

/** `LanguageModelChatMessage`: VS Code has user and assistant roles only (no system role in the stable API). */
export interface VscodeLmMessage {
  readonly role: 'user' | 'assistant';
  readonly parts: readonly VscodeLmMessagePart[];
}

/** `LanguageModelTextPart`, `LanguageModelToolCallPart`, `LanguageModelToolResultPart` (holding one text part). */
export type VscodeLmMessagePart =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'tool-call'; readonly callId: string; readonly name: string; readonly input: JsonObject }
  | { readonly kind: 'tool-result'; readonly callId: string; readonly content: string };

export interface VscodeLmRequest {
  readonly messages: readonly VscodeLmMessage[];
  /** `LanguageModelChatTool`s; empty when tools are not offered. */
  readonly tools: readonly { readonly name: string; readonly description: string; readonly inputSchema: JsonObject }[];
  /** `LanguageModelChatToolMode.Auto` or `.Required`. */
  readonly toolMode: 'auto' | 'required';
  /** Passed as `modelOptions`; providers use what they understand. */
  readonly modelOptions: Readonly<Record<string, number>>;
}

export type VscodeLmResponsePart = { readonly kind: 'text'; readonly value: string } | { readonly kind: 'tool-call'; readonly callId: string; readonly name: string; readonly input: unknown };

const ResponsePart = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), value: z.string() }),
  z.object({ kind: z.literal('tool-call'), callId: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.json()) }),
]);

/** Our messages in VS Code's shape: system text goes first as user text; consecutive tool results share one user message. */
export function toVscodeLmMessages(messages: readonly ChatMessage[]): VscodeLmMessage[] {
  const out: { role: 'user' | 'assistant'; parts: VscodeLmMessagePart[] }[] = [];
  for (const m of messages) {
    if (m.role === 'tool') {
      const last = out[out.length - 1];
      const part: VscodeLmMessagePart = { kind: 'tool-result', callId: m.toolCallId, content: m.content };
      if (last && last.role === 'user' && last.parts.every((p) => p.kind === 'tool-result')) last.parts.push(part);
      else out.push({ role: 'user', parts: [part] });
    } else if (m.role === 'assistant') {
      const parts: VscodeLmMessagePart[] = m.content ? [{ kind: 'text', value: m.content }] : [];
      for (const c of m.toolCalls ?? []) parts.push({ kind: 'tool-call', callId: c.id, name: c.name, input: c.arguments });
      out.push({ role: 'assistant', parts });
    } else {
      out.push({ role: 'user', parts: [{ kind: 'text', value: m.content }] });
    }
  }
  return out;
}

export function toVscodeLmRequest(request: ChatRequest): VscodeLmRequest {
  const offer = request.toolChoice !== 'none' && (request.tools?.length ?? 0) > 0;
  const modelOptions: Record<string, number> = {};
  if (request.temperature !== undefined) modelOptions.temperature = request.temperature;
  if (request.seed !== undefined) modelOptions.seed = request.seed;
  if (request.maxTokens !== undefined) modelOptions.max_tokens = request.maxTokens;
  return {
    messages: toVscodeLmMessages(request.messages),
    tools: offer ? (request.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })) : [],
    toolMode: request.toolChoice === 'required' && offer ? 'required' : 'auto',
    modelOptions,
  };
}

/** `vscode-lm`: a model chosen inside VS Code, reached through the face's bridge. */
export class VscodeLmModel implements ModelPort {
  readonly provider = 'vscode-lm' as const;
  readonly description: string;

  constructor(private readonly bridge: VscodeLmBridge) {
    this.description = `vscode-lm ${bridge.modelName}`;
  }

  chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    return collectStream(this.stream(request, options));
  }

  async *stream(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<ChatEvent> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    let text = '';
    const toolCalls: ToolCall[] = [];
    try {
      if (options.signal?.aborted) throw cancelledError(this.description);
      const parts = await this.guard(() => this.bridge.sendRequest(toVscodeLmRequest(request), signal), options.signal);
      const iterator = parts[Symbol.asyncIterator]();
      for (;;) {
        const next = await this.guard(() => iterator.next(), options.signal);
        if (next.done) break;
        const part = ResponsePart.safeParse(next.value);
        if (!part.success) throw new ModelError('bad-response', 'io', `${this.description} sent a response part this client cannot read: ${excerpt(JSON.stringify(next.value) ?? String(next.value))}`, 'update Dynaforge and VS Code; if it persists, report it with the model name');
        if (part.data.kind === 'text') {
          if (!part.data.value) continue;
          text += part.data.value;
          yield { kind: 'text', text: part.data.value };
        } else {
          const call: ToolCall = { id: part.data.callId, name: part.data.name, arguments: part.data.input as JsonObject };
          yield { kind: 'tool-call-delta', index: toolCalls.length, id: call.id, name: call.name, argumentsDelta: JSON.stringify(call.arguments) };
          toolCalls.push(call);
        }
        if (options.signal?.aborted) throw cancelledError(this.description);
      }
    } finally {
      // Leaving early (break, error) cancels the request in VS Code too.
      controller.abort();
    }
    yield { kind: 'done', result: { text, toolCalls, finishReason: toolCalls.length ? 'tool_calls' : 'stop' } };
  }

  /** Runs a bridge call, turning its failures into ModelErrors. */
  private async guard<T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (signal?.aborted) throw cancelledError(this.description);
      if (isDfError(e)) throw e;
      throw new ModelError('provider', 'io', `${this.description} failed: ${e instanceof Error ? e.message : String(e)}`, 'check that a chat model is available in VS Code and that Dynaforge may use it (the first request asks for consent; Copilot needs you signed in)');
    }
  }
}
