import type { Config } from '../schema/config';

/**
 * The language-model port (DESIGN.md §6). Agents talk to a model only through this; the
 * adapters (`none`, `scripted`, `openai-compatible`, `vscode-lm`) are chosen by
 * `createModel`. Provider-neutral on purpose: no wire format leaks through these types.
 */
export type ModelProvider = Config['model']['provider'];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A call the model asked for. `arguments` is parsed and known to be a JSON object. */
export interface ToolCall {
  /** The provider's id for the call; a `tool` message answers it by this id. */
  readonly id: string;
  readonly name: string;
  readonly arguments: JsonObject;
}

export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly ToolCall[] }
  /** The result of running the tool call `toolCallId`, as text (usually JSON). */
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

export type ChatRole = ChatMessage['role'];

/** A tool the model may call; `parameters` is the JSON Schema of its arguments object. */
export interface ToolDefinition {
  /** `^[A-Za-z0-9_-]{1,64}$`: what every provider accepts. */
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonObject;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  /** `auto` (the default when tools are given), `none` (tools are not offered), `required`. */
  readonly toolChoice?: 'auto' | 'none' | 'required';
  readonly temperature?: number;
  readonly seed?: number;
  readonly maxTokens?: number;
  /** For people only (cassette summaries, progress): never sent to a model and not hashed. */
  readonly label?: string;
}

/** Why the model stopped; anything a provider reports beyond these is `other`. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface ChatResult {
  /** The assistant's text; empty when it only called tools. */
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  /** Token counts, when the provider reports them. */
  readonly usage?: Usage;
}

/**
 * What `stream` yields: text as it arrives, tool-call fragments (reassemble by `index`; `id`
 * and `name` come with the first fragment of a call), then exactly one `done` carrying the
 * complete, validated result — the same value `chat` would have returned.
 */
export type ChatEvent =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tool-call-delta'; readonly index: number; readonly id?: string; readonly name?: string; readonly argumentsDelta: string }
  | { readonly kind: 'done'; readonly result: ChatResult };

export interface ChatOptions {
  /** Aborting cancels the request (and a stream mid-way); the call rejects with a `cancelled` ModelError. */
  readonly signal?: AbortSignal;
}

export interface ModelPort {
  readonly provider: ModelProvider;
  /** For people, e.g. `openai-compatible llama3.1 at http://127.0.0.1:11434/v1`. Never holds a secret. */
  readonly description: string;
  /** One request, one complete answer. */
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResult>;
  /**
   * The same request, answered incrementally. A CLI writes `text` events to stdout; the VS Code
   * face forwards them to `ChatResponseStream.markdown`. Leaving the loop early (break) cancels
   * the request.
   */
  stream(request: ChatRequest, options?: ChatOptions): AsyncIterable<ChatEvent>;
}

/**
 * Drains `events` into the final result, handing every event to `onEvent` on the way (for a
 * face that wants a callback rather than a loop).
 */
export async function collectStream(events: AsyncIterable<ChatEvent>, onEvent?: (event: ChatEvent) => void): Promise<ChatResult> {
  let result: ChatResult | undefined;
  for await (const event of events) {
    onEvent?.(event);
    if (event.kind === 'done') result = event.result;
  }
  if (!result) throw new Error('model stream ended without a result');
  return result;
}
