import { setTimeout as delay } from 'node:timers/promises';
import { CONFIG_REL } from '../config/loadConfig';
import { systemClock, type Clock } from '../ports/clock';
import { cancelledError, ModelError, type ModelErrorDetails, type ModelErrorReason } from './modelError';
import type { ChatEvent, ChatOptions, ChatRequest, ChatResult, ModelPort, Usage } from './modelPort';
import { firstIssue, fromWireUsage, toWireRequest, WireChunk, WireCompletion, wireErrorMessage } from './openaiWire';
import { displayUrl, isHeaderSafe, redact, type ApiKey } from './secrets';
import { SseParser, SseSyntaxError, type SseEvent } from './sse';
import { excerpt, parseToolArguments, toFinishReason, ToolCallAssembler } from './toolCalls';

/** Waits `ms`, rejecting when `signal` aborts. Injected so that tests of backoff never wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
export const realSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

export interface OpenAiCompatibleOptions {
  /** The API base, e.g. `http://127.0.0.1:11434/v1`; requests go to `{url}/chat/completions`. */
  readonly url: string;
  readonly model: string;
  /** From the environment only (secrets.ts); sent as `Authorization: Bearer …`, never shown. */
  readonly apiKey?: ApiKey;
  /** Per request: the whole answer for `chat`; the wait for each piece of a stream. Default 120 s. */
  readonly timeoutMs?: number;
  /** Retries after 429, 5xx and dropped connections (not after a timeout). Default 3. */
  readonly retries?: number;
  /** A Retry-After longer than this fails at once instead of blocking the run. Default 60 s. */
  readonly maxRetryWaitMs?: number;
  readonly sleep?: Sleep;
  /** For Retry-After given as an HTTP date. */
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_RETRIES = 3;
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;
/** Connection failures worth another try; a refused connection or an unknown host are not. */
const RETRYABLE_NET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The wait before retry `n` (1-based) when the server gives no Retry-After: 0.5 s, 1 s, 2 s … capped at 8 s. */
export function backoffMs(n: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** (n - 1), BACKOFF_MAX_MS);
}

/** Retry-After in ms (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The errno-like code of a fetch failure (undici hides it in `cause`). */
function netCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** One attempt's timer and abort: `arm` (re)starts the countdown, `clear` stops it. */
class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;
  readonly signal: AbortSignal;

  constructor(
    private readonly ms: number,
    user: AbortSignal | undefined,
  ) {
    this.signal = user ? AbortSignal.any([user, this.controller.signal]) : this.controller.signal;
    this.arm();
  }

  arm(): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  abort(): void {
    this.clear();
    this.controller.abort();
  }
}

/** The state of one streamed answer. */
class StreamState {
  text = '';
  finish: string | null | undefined;
  usage: Usage | undefined;
  readonly calls = new ToolCallAssembler();
}

/**
 * `openai-compatible`: chat completions over HTTP, whole or streamed (server-sent events),
 * with tool calls, retries with backoff on 429/5xx, a per-request timeout, and errors that
 * say what the server did — with the API key redacted from every one of them.
 */
export class OpenAiCompatibleModel implements ModelPort {
  readonly provider = 'openai-compatible' as const;
  readonly description: string;
  private readonly endpoint: string;
  private readonly shownUrl: string;
  private readonly secrets: readonly string[];
  private readonly fetchFn: typeof fetch;
  private readonly sleep: Sleep;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(private readonly opts: OpenAiCompatibleOptions) {
    const base = opts.url.replace(/\/+$/, '');
    this.endpoint = `${base}/chat/completions`;
    this.shownUrl = displayUrl(base);
    this.secrets = opts.apiKey ? [opts.apiKey.value] : [];
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.sleep = opts.sleep ?? realSleep;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.description = `openai-compatible ${opts.model} at ${this.shownUrl}`;
    if (opts.apiKey && !isHeaderSafe(opts.apiKey.value)) {
      throw new ModelError('config', 'usage', `the API key in ${opts.apiKey.from} holds characters an HTTP header cannot carry (a space or a line break?)`, `set ${opts.apiKey.from} to the key alone`);
    }
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const { res, deadline } = await this.post(request, false, options.signal);
    try {
      return this.parseCompletion(await this.readBody(res, deadline, options.signal));
    } finally {
      deadline.clear();
    }
  }

  async *stream(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<ChatEvent> {
    const signal = options.signal;
    const { res, deadline } = await this.post(request, true, signal);
    try {
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('application/json')) {
        // The server ignored `stream: true` and sent one whole answer: pass it on as one piece.
        const result = this.parseCompletion(await this.readBody(res, deadline, signal));
        if (result.text) yield { kind: 'text', text: result.text };
        for (const [index, c] of result.toolCalls.entries()) yield { kind: 'tool-call-delta', index, id: c.id, name: c.name, argumentsDelta: JSON.stringify(c.arguments) };
        yield { kind: 'done', result };
        return;
      }
      if (!res.body) throw this.fail('bad-response', `the model server at ${this.shownUrl} sent an empty event stream`, this.urlFix());
      const state = new StreamState();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      let done = false;
      try {
        while (!done) {
          deadline.arm();
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (e) {
            throw this.transportError(e, deadline, signal, 'mid-stream');
          } finally {
            // The time a consumer spends on what we yield is not the server's.
            deadline.clear();
          }
          const events = this.sse(() => (chunk.done ? parser.push(decoder.decode()).concat(parser.end()) : parser.push(decoder.decode(chunk.value, { stream: true }))));
          for (const event of events) {
            if (event.data.trim() === '[DONE]') {
              done = true;
              break;
            }
            yield* this.chunkEvents(event, state);
          }
          if (chunk.done) break;
        }
      } finally {
        await reader.cancel().catch(() => undefined);
      }
      if (!done && state.finish == null) {
        throw this.fail('bad-response', `the event stream from the model server at ${this.shownUrl} ended before "data: [DONE]" and without a finish reason: the answer is incomplete`, 'run again; if it persists, check the server (it may have crashed or run out of memory)');
      }
      const toolCalls = state.calls.finish(this.badToolCall);
      yield { kind: 'done', result: { text: state.text, toolCalls, finishReason: toFinishReason(state.finish, toolCalls.length > 0), ...(state.usage ? { usage: state.usage } : {}) } };
    } finally {
      deadline.abort();
    }
  }

  /** POSTs the request, retrying 429, 5xx and dropped connections; resolves with a 2xx response whose body is still to read. */
  private async post(request: ChatRequest, stream: boolean, signal: AbortSignal | undefined): Promise<{ res: Response; deadline: Deadline }> {
    const body = JSON.stringify(toWireRequest(this.opts.model, request, stream));
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey.value}`;
    const retries = this.opts.retries ?? DEFAULT_RETRIES;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelledError(this.description);
      const deadline = new Deadline(this.timeoutMs, signal);
      let res: Response;
      try {
        res = await this.fetchFn(this.endpoint, { method: 'POST', headers, body, signal: deadline.signal });
      } catch (e) {
        deadline.clear();
        const error = this.transportError(e, deadline, signal, 'connect', attempt);
        if (error.reason === 'connection' && RETRYABLE_NET.has(netCode(e) ?? '') && attempt <= retries) {
          await this.pause(backoffMs(attempt), signal);
          continue;
        }
        throw error;
      }
      if (res.ok) return { res, deadline };
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        throw this.transportError(e, deadline, signal, 'body', attempt);
      } finally {
        deadline.clear();
      }
      if ((res.status === 429 || res.status >= 500) && attempt <= retries) {
        const wait = parseRetryAfter(res.headers.get('retry-after'), this.clock.nowMs()) ?? backoffMs(attempt);
        if (wait > (this.opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS)) throw this.httpError(res.status, text, attempt, `it asks to wait ${Math.ceil(wait / 1000)} s before retrying`);
        await this.pause(wait, signal);
        continue;
      }
      throw this.httpError(res.status, text, attempt);
    }
  }

  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.sleep(ms, signal);
    } catch (e) {
      if (signal?.aborted) throw cancelledError(this.description);
      throw e;
    }
  }

  private async readBody(res: Response, deadline: Deadline, signal: AbortSignal | undefined): Promise<string> {
    try {
      return await res.text();
    } catch (e) {
      throw this.transportError(e, deadline, signal, 'body');
    }
  }

  private parseCompletion(text: string): ChatResult {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.fail('bad-response', `the model server at ${this.shownUrl} answered with a body that is not JSON: ${excerpt(text) || '(empty)'}`, this.urlFix());
    }
    const hasChoices = typeof body === 'object' && body !== null && Array.isArray((body as { choices?: unknown }).choices) && (body as { choices: unknown[] }).choices.length > 0;
    if (!hasChoices) {
      const reported = wireErrorMessage(body);
      if (reported !== undefined) throw this.fail('provider', `the model server at ${this.shownUrl} reported an error: ${reported}`, 'check the server logs and the model name (model.model or DYNAFORGE_MODEL)');
      throw this.fail('bad-response', `the answer from the model server at ${this.shownUrl} has no choices: ${excerpt(text)}`, this.urlFix());
    }
    const parsed = WireCompletion.safeParse(body);
    if (!parsed.success) throw this.fail('bad-response', `the model server at ${this.shownUrl} sent a chat completion this client cannot read (${firstIssue(parsed.error)})`, this.urlFix());
    const choice = parsed.data.choices[0] as WireCompletion['choices'][number];
    const toolCalls = (choice.message.tool_calls ?? []).map((c, i) => {
      const id = c.id || `call_${i}`;
      return { id, name: c.function.name, arguments: parseToolArguments(c.function.arguments, { id, name: c.function.name }, this.badToolCall) };
    });
    const usage = fromWireUsage(parsed.data.usage);
    return { text: choice.message.content ?? '', toolCalls, finishReason: toFinishReason(choice.finish_reason, toolCalls.length > 0), ...(usage ? { usage } : {}) };
  }

  /** The events one `data:` event of a stream adds. */
  private *chunkEvents(event: SseEvent, state: StreamState): Generator<ChatEvent> {
    for (const json of this.eventJson(event)) {
      const reported = wireErrorMessage(json);
      if (reported !== undefined) throw this.fail('provider', `the model server at ${this.shownUrl} reported an error mid-stream: ${reported}`, 'check the server logs; run again');
      const parsed = WireChunk.safeParse(json);
      if (!parsed.success) throw this.malformedSse(event.line, `the event is not a chat-completion chunk (${firstIssue(parsed.error)})`);
      const choice = parsed.data.choices.find((c) => (c.index ?? 0) === 0);
      const usage = fromWireUsage(parsed.data.usage);
      if (usage) state.usage = usage;
      if (!choice) continue;
      const content = choice.delta?.content;
      if (content) {
        state.text += content;
        yield { kind: 'text', text: content };
      }
      for (const [position, tc] of (choice.delta?.tool_calls ?? []).entries()) {
        yield state.calls.add(tc.index ?? position, { id: tc.id ?? undefined, name: tc.function?.name ?? undefined, args: tc.function?.arguments ?? undefined });
      }
      if (choice.finish_reason) state.finish = choice.finish_reason;
    }
  }

  /** The JSON of a `data:` event. Several `data:` lines with no blank line between them are read as one chunk each. */
  private eventJson(event: SseEvent): unknown[] {
    try {
      return [JSON.parse(event.data)];
    } catch (e) {
      const lines = event.data.split('\n');
      if (lines.length > 1) {
        try {
          return lines.map((l) => JSON.parse(l) as unknown);
        } catch {
          // fall through to the error about the whole event
        }
      }
      throw this.malformedSse(event.line, `its data is not JSON (${(e as Error).message}): ${excerpt(event.data)}`);
    }
  }

  private sse(read: () => SseEvent[]): SseEvent[] {
    try {
      return read();
    } catch (e) {
      if (e instanceof SseSyntaxError) throw this.malformedSse(e.line, e.message);
      throw e;
    }
  }

  private malformedSse(line: number, why: string): ModelError {
    return this.fail('bad-response', `malformed event stream from the model server at ${this.shownUrl}, line ${line}: ${why}`, `check that model.url points at an OpenAI-compatible API that streams server-sent events (requests go to ${this.shownUrl}/chat/completions)`);
  }

  private readonly badToolCall = (message: string, fix: string): ModelError => this.fail('bad-response', `the model at ${this.shownUrl} made a bad tool call: ${message}`, fix);

  private transportError(e: unknown, deadline: Deadline, signal: AbortSignal | undefined, during: 'connect' | 'body' | 'mid-stream', attempts?: number): ModelError {
    if (signal?.aborted) return cancelledError(this.description);
    const seconds = Math.round(this.timeoutMs / 100) / 10;
    if (deadline.timedOut) {
      return this.fail(
        'timeout',
        during === 'mid-stream' ? `the model server at ${this.shownUrl} sent nothing for ${seconds} s in the middle of its answer` : `the model server at ${this.shownUrl} did not answer within ${seconds} s`,
        `raise model.timeout_s in ${CONFIG_REL}, use a smaller model, or check that the server is not overloaded`,
        { attempts },
      );
    }
    const code = netCode(e) ?? (e instanceof Error ? e.message : String(e));
    const what = code === 'ECONNREFUSED' ? 'refused the connection' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'is an unknown host' : during === 'connect' ? 'cannot be reached' : 'dropped the connection';
    return this.fail(
      'connection',
      `the model server at ${this.shownUrl} ${what}${during === 'mid-stream' ? ' mid-stream' : ''} (${code})`,
      `start the server (e.g. Ollama, LM Studio, vLLM, llama.cpp) or fix model.url in ${CONFIG_REL} (or DYNAFORGE_MODEL_URL)`,
      { attempts },
    );
  }

  private httpError(status: number, text: string, attempts: number, note?: string): ModelError {
    let said: string | undefined;
    try {
      said = wireErrorMessage(JSON.parse(text));
    } catch {
      // not JSON: quote the text
    }
    said = excerpt(said ?? text);
    const detail = [said, note].filter(Boolean).join('; ');
    const at = `the model server at ${this.shownUrl}`;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const details = { status, attempts };
    if (status === 401 || status === 403) {
      const fix = this.opts.apiKey ? `check the key in ${this.opts.apiKey.from}` : 'set DYNAFORGE_MODEL_API_KEY (or OPENAI_API_KEY) to a valid key';
      return this.fail('http', `${at} refused the credentials: HTTP ${status}${detail ? ` (${detail})` : ''}`, fix, details);
    }
    if (status === 404) return this.fail('http', `${at} has no chat completions endpoint or no model "${this.opts.model}": HTTP 404${detail ? ` (${detail})` : ''}`, `check model.url (it usually ends in /v1; requests go to ${this.shownUrl}/chat/completions) and model.model`, details);
    if (status === 429) return this.fail('rate-limited', `${at} is rate limiting: HTTP 429${tries}${detail ? ` (${detail})` : ''}`, 'wait a while and run again; model.retries sets how often to retry', details);
    if (status >= 500) return this.fail('server', `${at} failed: HTTP ${status}${tries}${detail ? ` (${detail})` : ''}`, 'check the server logs and run again later; model.retries sets how often to retry', details);
    return this.fail('http', `${at} rejected the request: HTTP ${status}${detail ? ` (${detail})` : ''}`, 'the server may not support something the request uses (tools, seed, max tokens): check its logs, or try another model', details);
  }

  private urlFix(): string {
    return `check that model.url points at an OpenAI-compatible API (usually ending in /v1; requests go to ${this.shownUrl}/chat/completions)`;
  }

  /** Every error of this client is built here, so every message and fix is redacted. */
  private fail(reason: ModelErrorReason, message: string, fix: string, details: ModelErrorDetails = {}): ModelError {
    return new ModelError(reason, 'io', redact(message, this.secrets), redact(fix, this.secrets), {}, details);
  }
}
