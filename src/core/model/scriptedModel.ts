import { readCassette, type CassetteEntry, type CassetteFile } from './cassette';
import { cancelledError, ModelError } from './modelError';
import type { ChatEvent, ChatOptions, ChatRequest, ChatResult, ModelPort } from './modelPort';
import { requestHash, requestSummary } from './requestHash';
import { excerpt } from './toolCalls';

/**
 * The events a recorded result is streamed as: the text cut after each run of whitespace
 * (a word and the spaces after it per event), one fragment per tool call, then `done`. Pure:
 * the same result always streams the same way.
 */
export function replayEvents(result: ChatResult): ChatEvent[] {
  const events: ChatEvent[] = (result.text.match(/\s*\S+\s*|\s+/g) ?? []).map((text) => ({ kind: 'text', text }));
  result.toolCalls.forEach((c, index) => events.push({ kind: 'tool-call-delta', index, id: c.id, name: c.name, argumentsDelta: JSON.stringify(c.arguments) }));
  events.push({ kind: 'done', result });
  return events;
}

export async function* replayStream(result: ChatResult, signal: AbortSignal | undefined, what: string): AsyncGenerator<ChatEvent> {
  for (const event of replayEvents(result)) {
    if (signal?.aborted) throw cancelledError(what);
    yield event;
  }
}

/** How to record a missing entry; in one place so every miss error says the same. */
export const RECORD_HINT =
  'record it: run the same command with DYNAFORGE_MODEL_RECORD=missing and a real provider (DYNAFORGE_MODEL_PROVIDER=openai-compatible with model.url and model.model set, or vscode-lm in VS Code), which calls the model and appends the answer to the cassette. A changed prompt, tool list, seed or temperature is a new request';

/**
 * `scripted`: answers from a cassette by request hash, never calls a model. Deterministic:
 * the same cassette and request give the same result and the same stream of events.
 */
export class ScriptedModel implements ModelPort {
  readonly provider = 'scripted' as const;
  readonly description: string;
  private entries: Map<string, CassetteEntry> | undefined;

  constructor(private readonly cassette: CassetteFile) {
    this.description = `scripted (cassette ${cassette.display})`;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    if (options.signal?.aborted) throw cancelledError(this.description);
    return this.lookup(request).response;
  }

  async *stream(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<ChatEvent> {
    if (options.signal?.aborted) throw cancelledError(this.description);
    yield* replayStream(this.lookup(request).response, options.signal, this.description);
  }

  /** The entry for `request`; the file is read once, and again before a miss is reported (it may have grown). */
  lookup(request: ChatRequest): CassetteEntry {
    const hash = requestHash(request);
    let hit = this.load(false).get(hash);
    if (!hit) hit = this.load(true).get(hash);
    if (hit) return hit;
    const what = requestSummary(request);
    throw new ModelError(
      'cassette-miss',
      'not-found',
      `no recorded response for request ${hash} in ${this.cassette.display} (${what.label ? `${what.label}; ` : ''}${what.messages} messages, last ${what.last_role ?? 'none'}: "${excerpt(what.last ?? '', 80)}")`,
      RECORD_HINT,
      { file: this.cassette.display },
    );
  }

  private load(fresh: boolean): Map<string, CassetteEntry> {
    if (this.entries && !fresh) return this.entries;
    const entries = readCassette(this.cassette);
    if (!entries) {
      throw new ModelError('cassette-invalid', 'not-found', `the cassette ${this.cassette.display} does not exist`, `fix model.cassette (or DYNAFORGE_MODEL_CASSETTE), or ${RECORD_HINT}`, { file: this.cassette.display });
    }
    this.entries = entries;
    return entries;
  }
}
