import { excerpt } from './toolCalls';

/**
 * A server-sent events reader, just enough for chat-completion streams: `data:` lines make
 * up an event, a blank line ends it, `:` lines are comments, `event:`/`id:`/`retry:` are
 * accepted and ignored. Any other line means the body is not an event stream: that is an
 * error naming the line, rather than a silent skip that would end in an empty answer.
 */
export interface SseEvent {
  readonly data: string;
  /** 1-based line of the body where the event's first `data:` line is. */
  readonly line: number;
}

export class SseSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const IGNORED_FIELDS = new Set(['event', 'id', 'retry']);

export class SseParser {
  private pending = '';
  private lineNo = 0;
  private data: string[] = [];
  private dataLine = 0;

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    this.pending += text;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      let line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.line(line, out);
    }
    return out;
  }

  /** The end of the body: a last line without a newline and an event without its blank line still count. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.pending !== '') {
      const line = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
      this.pending = '';
      this.line(line, out);
    }
    this.dispatch(out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    this.lineNo += 1;
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      if (this.data.length === 0) this.dataLine = this.lineNo;
      this.data.push(value);
      return;
    }
    if (IGNORED_FIELDS.has(field)) return;
    throw new SseSyntaxError(this.lineNo, `not a server-sent event field (expected "data: …"): ${excerpt(line)}`);
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length === 0) return;
    out.push({ data: this.data.join('\n'), line: this.dataLine });
    this.data = [];
  }
}
