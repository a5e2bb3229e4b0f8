import type { ChatEvent, FinishReason, JsonObject, ToolCall } from './modelPort';

/** Builds the adapter's error (with its own wording, location and redaction). */
export type FailFn = (message: string, fix: string) => Error;

const EXCERPT = 120;

/** The first `max` characters of `text` on one line, for messages. */
export function excerpt(text: string, max = EXCERPT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Tool-call arguments as a JSON object. Providers send a JSON text (some local servers an
 * object already); an empty text means "no arguments". Anything else is the model's mistake,
 * reported with the call so the agent loop can tell the model.
 */
export function parseToolArguments(raw: unknown, call: { id: string; name: string }, fail: FailFn): JsonObject {
  if (isJsonObject(raw)) return raw;
  if (typeof raw !== 'string') throw fail(`tool call ${call.name} (${call.id}) has arguments of type ${raw === null ? 'null' : typeof raw}, not a JSON object`, 'retry; if it persists, use a model that supports tool calling');
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw fail(`tool call ${call.name} (${call.id}) has arguments that are not valid JSON (${(e as Error).message}): ${excerpt(raw)}`, 'retry; if it persists, use a model that supports tool calling');
  }
  if (!isJsonObject(value)) throw fail(`tool call ${call.name} (${call.id}) has arguments that are not a JSON object: ${excerpt(raw)}`, 'retry; if it persists, use a model that supports tool calling');
  return value;
}

/** Provider finish reasons mapped onto ours; a missing one is inferred. */
export function toFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'stop':
    case 'eos':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case null:
    case undefined:
      return hasToolCalls ? 'tool_calls' : 'stop';
    default:
      return 'other';
  }
}

interface PartialCall {
  id?: string;
  name?: string;
  args: string;
}

/**
 * Reassembles streamed tool calls: fragments arrive keyed by `index`, the id and name with the
 * first fragment, the arguments text split anywhere (even inside a string or an escape).
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, PartialCall>();

  /** Records one fragment and returns the event to pass on. */
  add(index: number, fragment: { id?: string; name?: string; args?: string }): ChatEvent {
    let call = this.calls.get(index);
    if (!call) this.calls.set(index, (call = { args: '' }));
    if (fragment.id) call.id = fragment.id;
    // Some servers repeat the name on later fragments: the first one names the call.
    if (fragment.name && !call.name) call.name = fragment.name;
    if (fragment.args) call.args += fragment.args;
    return {
      kind: 'tool-call-delta',
      index,
      ...(fragment.id ? { id: fragment.id } : {}),
      ...(fragment.name ? { name: fragment.name } : {}),
      argumentsDelta: fragment.args ?? '',
    };
  }

  get size(): number {
    return this.calls.size;
  }

  /** The complete calls in index order; a call without a name or with bad arguments fails. */
  finish(fail: FailFn): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => {
        const id = c.id ?? `call_${index}`;
        if (!c.name) throw fail(`streamed tool call #${index} (${id}) never received a function name`, 'retry; if it persists, use a model that supports tool calling');
        return { id, name: c.name, arguments: parseToolArguments(c.args, { id, name: c.name }, fail) };
      });
  }
}
