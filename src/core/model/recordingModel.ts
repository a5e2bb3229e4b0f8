import { appendToCassette, readCassette, type CassetteFile } from './cassette';
import type { ChatEvent, ChatOptions, ChatRequest, ChatResult, ModelPort } from './modelPort';
import { requestHash, requestSummary } from './requestHash';
import { replayStream } from './scriptedModel';

/**
 * `missing`: answer from the cassette when it has the request, otherwise call the model and
 * append its answer. `all`: always call the model and append (the newest line wins on replay).
 */
export type RecordMode = 'missing' | 'all';

/**
 * Record mode: wraps a real model and appends every answer it gives to a cassette, which the
 * `scripted` provider then replays. What this returns is what was written, read back, so a
 * recorded run and its replay see identical results.
 */
export class RecordingModel implements ModelPort {
  readonly provider: ModelPort['provider'];
  readonly description: string;

  constructor(
    private readonly inner: ModelPort,
    private readonly cassette: CassetteFile,
    private readonly mode: RecordMode,
  ) {
    this.provider = inner.provider;
    this.description = `${inner.description}, recording ${mode === 'all' ? 'every answer' : 'missing answers'} to ${cassette.display}`;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const hash = requestHash(request);
    const recorded = this.recorded(hash);
    if (recorded) return recorded;
    const result = await this.inner.chat(request, options);
    return this.record(hash, request, result);
  }

  async *stream(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<ChatEvent> {
    const hash = requestHash(request);
    const recorded = this.recorded(hash);
    if (recorded) {
      yield* replayStream(recorded, options.signal, this.description);
      return;
    }
    for await (const event of this.inner.stream(request, options)) {
      // An abandoned or failed stream records nothing: only complete answers go to the cassette.
      if (event.kind === 'done') yield { kind: 'done', result: await this.record(hash, request, event.result) };
      else yield event;
    }
  }

  private recorded(hash: string): ChatResult | undefined {
    return this.mode === 'missing' ? readCassette(this.cassette)?.get(hash)?.response : undefined;
  }

  private async record(hash: string, request: ChatRequest, result: ChatResult): Promise<ChatResult> {
    const entry = await appendToCassette(this.cassette, { hash, request: requestSummary(request), response: result }, this.mode === 'missing');
    return entry.response;
  }
}
