import { canonicalJson, sha256 } from '../canonical';
import type { ChatMessage, ChatRequest } from './modelPort';
import { excerpt } from './toolCalls';

/** Bumped when what the hash covers changes, so old cassettes miss instead of matching wrongly. */
export const REQUEST_HASH_VERSION = 1;

/**
 * The part of a request that decides the answer, in canonical form. Left out, because they vary
 * between runs without changing what is asked: `label` (for people), and the spelling of tool
 * call ids, which providers mint at random — they become `call-1`, `call-2` … in order of first
 * appearance, so which result answers which call is still covered.
 */
export function hashableRequest(request: ChatRequest): unknown {
  const ids = new Map<string, string>();
  const stableId = (id: string): string => {
    let s = ids.get(id);
    if (!s) ids.set(id, (s = `call-${ids.size + 1}`));
    return s;
  };
  const message = (m: ChatMessage): unknown => {
    switch (m.role) {
      case 'assistant':
        return {
          role: m.role,
          content: m.content,
          tool_calls: (m.toolCalls ?? []).map((c) => ({ id: stableId(c.id), name: c.name, arguments: c.arguments })),
        };
      case 'tool':
        return { role: m.role, tool_call_id: stableId(m.toolCallId), content: m.content };
      default:
        return { role: m.role, content: m.content };
    }
  };
  return {
    v: REQUEST_HASH_VERSION,
    messages: request.messages.map(message),
    tools: (request.tools ?? []).map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
    tool_choice: request.toolChoice,
    temperature: request.temperature,
    seed: request.seed,
    max_tokens: request.maxTokens,
  };
}

/** sha256 (hex) of the canonical JSON of `hashableRequest(request)`: the cassette key. */
export function requestHash(request: ChatRequest): string {
  return sha256(canonicalJson(hashableRequest(request)));
}

/** What a person reading a cassette needs to recognise the request. */
export interface RequestSummary {
  readonly label?: string;
  readonly messages: number;
  readonly last_role?: ChatMessage['role'];
  /** The start of the last message, on one line. */
  readonly last?: string;
  readonly tools?: string[];
}

export function requestSummary(request: ChatRequest): RequestSummary {
  const last = request.messages[request.messages.length - 1];
  return {
    ...(request.label ? { label: request.label } : {}),
    messages: request.messages.length,
    ...(last ? { last_role: last.role, last: excerpt(last.content, 160) } : {}),
    ...(request.tools?.length ? { tools: request.tools.map((t) => t.name) } : {}),
  };
}
