import { AUDIT_EVENT_VERSION, type AuditEvent } from '../schema/audit';

/*
 * Reading an audit line that is in canonical form, and only such a line, without parsing
 * the whole of it as JSON and writing it back out to compare (see fastCheck.ts).
 *
 * canonicalJson() of an event is a fixed sequence: literal text (keys in sorted order,
 * quotes, commas) and the serialised values in between. The reader walks the line along
 * that sequence: it checks each literal where it must be, takes each value from the text up
 * to the next literal, and checks that the value's canonical serialisation is exactly that
 * text. When it gets to the end of the line that way, the line *is* canonicalJson() of the
 * event it returns, piece by piece. Where anything differs it returns undefined, and the
 * caller parses the line the general way.
 *
 * Values whose format the envelope pins down (kind, ch_id, ts, type; hash and prev, 64 hex
 * digits: no quote, backslash or control character fits) are returned as the raw text. The
 * promise holds once the caller has checked those formats: isValidEvent() checks them all;
 * soundEvent() checks the first four with isValidButHashes() and the hashes by comparing
 * them with hex digests.
 */

/** Whether JSON.stringify(s) escapes something in `s`: control characters, `"`, `\`, (lone) surrogates. */
function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** JSON.stringify(s), without the native call when nothing needs escaping. */
function str(s: string): string {
  return needsEscape(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Appends canonicalJson(x) of a value JSON.parse made (see canonicalValue). */
function pushValue(out: string[], x: unknown): void {
  switch (typeof x) {
    case 'string':
      out.push(str(x));
      return;
    case 'number':
      out.push(Number.isFinite(x) ? String(x) : 'null'); // JSON.parse('1e400') is Infinity
      return;
    case 'boolean':
      out.push(x ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`not a value JSON.parse makes: ${typeof x}`);
  }
  if (x === null) {
    out.push('null');
    return;
  }
  if (Array.isArray(x)) {
    out.push('[');
    for (let i = 0; i < x.length; i++) {
      if (i > 0) out.push(',');
      pushValue(out, x[i]);
    }
    out.push(']');
    return;
  }
  const keys = Object.keys(x);
  // A canonical line's keys come out of JSON.parse already sorted; sort only when they are not.
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) >= (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out.push(',');
    out.push(str(k), ':');
    pushValue(out, (x as Record<string, unknown>)[k]);
  }
  out.push('}');
}

/**
 * canonicalJson(x) for a value JSON.parse made, as safe-stable-stringify writes it: keys in
 * default sort order, strings as JSON.stringify escapes them, finite numbers as String(n), no
 * whitespace. (JSON.parse makes no undefined, functions, cycles or toJSON methods.) Built as
 * parts joined once: one flat string, not a rope that comparing would have to flatten.
 */
export function canonicalValue(x: unknown): string {
  const out: string[] = [];
  pushValue(out, x);
  return out.join('');
}

/** Whether every object in `x` (a value JSON.parse made) has its keys in sorted order. */
function keysSorted(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return true;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) if (!keysSorted(x[i])) return false;
    return true;
  }
  let prev: string | undefined;
  // for…in walks own keys in Object.keys order (no array to allocate), then inherited
  // enumerable ones, of which JSON.parse objects have none: if any, the check only gets stricter.
  for (const k in x) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    if (!keysSorted((x as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Whether `text` is canonicalJson() of `x`, the value JSON.parse made of it. When every
 * object's keys are already in sorted order, canonicalJson() writes what JSON.stringify
 * writes (same escapes, same numbers), and the native call is the faster one.
 */
function isCanonicalText(x: unknown, text: string): boolean {
  return keysSorted(x) ? JSON.stringify(x) === text : canonicalValue(x) === text;
}

/** A string's text as JSON.stringify writes it, between quotes, without a backslash: no control character and no lone surrogate. */
function isPlainJsonText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      // A pair is written as it is; half of one is escaped.
      if (c >= 0xdc00 || !(s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff)) return false;
      i += 1;
    }
  }
  return true;
}

/** A cursor along the line; every method checks the text at the cursor and moves past it. */
class Reader {
  pos = 0;
  constructor(readonly line: string) {}

  lit(text: string): boolean {
    const end = this.pos + text.length;
    if (this.line.slice(this.pos, end) !== text) return false;
    this.pos = end;
    return true;
  }

  /** The text up to (not including) the next `stop`; undefined if there is none. */
  until(stop: string): string | undefined {
    const end = this.line.indexOf(stop, this.pos);
    if (end < 0) return undefined;
    const text = this.line.slice(this.pos, end);
    this.pos = end;
    return text;
  }

  /** A JSON string written exactly as JSON.stringify writes its value; the value, or undefined. */
  string(): string | undefined {
    const line = this.line;
    const start = this.pos;
    if (line.charCodeAt(start) !== 0x22) return undefined;
    // The closing quote is the first one not escaped (preceded by an even number of backslashes).
    let end = line.indexOf('"', start + 1);
    for (;;) {
      if (end < 0) return undefined;
      let k = end - 1;
      while (line.charCodeAt(k) === 0x5c) k--;
      if ((end - 1 - k) % 2 === 0) break;
      end = line.indexOf('"', end + 1);
    }
    const text = line.slice(start + 1, end);
    let value: string;
    if (text.indexOf('\\') < 0) {
      if (!isPlainJsonText(text)) return undefined;
      value = text;
    } else {
      try {
        value = JSON.parse(line.slice(start, end + 1)) as string;
      } catch {
        return undefined;
      }
      if (JSON.stringify(value) !== line.slice(start, end + 1)) return undefined;
    }
    this.pos = end + 1;
    return value;
  }
}

/** The start of a line, up to its correlation id: the actor and the change. */
export interface Head {
  readonly text: string;
  readonly id: string;
  readonly kind: string;
  readonly role: string;
  readonly chId: string | undefined;
}

/** The last head read in a stream: most of its lines start with the same text, which reads the same. */
export interface HeadMemo {
  head?: Head;
}

/** Reads `{"actor":{…},"ch_id":"…","correlation_id":` and leaves the reader after it. */
function readHead(r: Reader, memo: HeadMemo): Head | undefined {
  if (memo.head && r.lit(memo.head.text)) return memo.head;
  if (!r.lit('{"actor":{"id":')) return undefined;
  const id = r.string();
  if (id === undefined || !r.lit(',"kind":"')) return undefined;
  const kind = r.until('"');
  if (kind === undefined || !r.lit('","role":')) return undefined;
  const role = r.string();
  if (role === undefined || !r.lit('},')) return undefined;
  let chId: string | undefined;
  if (r.lit('"ch_id":"')) {
    chId = r.until('"');
    if (chId === undefined || !r.lit('",')) return undefined;
  }
  if (!r.lit('"correlation_id":')) return undefined;
  memo.head = { text: r.line.slice(0, r.pos), id, kind, role, chId };
  return memo.head;
}

/** The event a canonical line holds, and the offset of its `,"hash":"…"` field. */
export interface CanonicalLine {
  readonly event: AuditEvent;
  readonly hashAt: number;
}

/**
 * The event `line` holds if `line` is canonicalJson() of it (keys: actor {id, kind, role},
 * ch_id, correlation_id, hash, payload, prev, run_id, seq, ts, type, v); undefined when the
 * line is anything else. The event is not validated (see the note at the top of this file).
 */
export function readCanonicalLine(line: string, memo: HeadMemo = {}): CanonicalLine | undefined {
  const r = new Reader(line);
  const head = readHead(r, memo);
  if (!head) return undefined;
  const { id, kind, role, chId } = head;
  const correlationId = r.string();
  const hashAt = r.pos;
  if (correlationId === undefined || !r.lit(',"hash":"')) return undefined;
  const hash = line.slice(r.pos, r.pos + 64);
  r.pos += 64;
  if (!r.lit('","payload":')) return undefined;
  // The payload ends where the last `,"prev":"` starts: in canonical text, what follows it
  // (hex, digits, a date, a type name, an escaped run id) cannot hold that literal.
  const payloadEnd = line.lastIndexOf(',"prev":"');
  if (payloadEnd < r.pos) return undefined;
  const payloadText = line.slice(r.pos, payloadEnd);
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || !isCanonicalText(payload, payloadText)) return undefined;
  r.pos = payloadEnd;
  if (!r.lit(',"prev":"')) return undefined;
  const prev = line.slice(r.pos, r.pos + 64);
  r.pos += 64;
  if (!r.lit('",')) return undefined;
  let runId: string | undefined;
  if (r.lit('"run_id":')) {
    runId = r.string();
    if (runId === undefined || !r.lit(',')) return undefined;
  }
  if (!r.lit('"seq":')) return undefined;
  const seqText = r.until(',');
  const seq = Number(seqText);
  if (seqText === undefined || String(seq) !== seqText || !r.lit(',"ts":"')) return undefined;
  const ts = r.until('"');
  if (ts === undefined || !r.lit('","type":"')) return undefined;
  const type = r.until('"');
  if (type === undefined || !r.lit(`","v":${AUDIT_EVENT_VERSION}}`) || r.pos !== line.length) return undefined;
  const event: Record<string, unknown> = { v: AUDIT_EVENT_VERSION, seq, ts, type, actor: { id, kind, role }, correlation_id: correlationId, payload, prev, hash };
  if (chId !== undefined) event.ch_id = chId;
  if (runId !== undefined) event.run_id = runId;
  return { event: event as AuditEvent, hashAt };
}
