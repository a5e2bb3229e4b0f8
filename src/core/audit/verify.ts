import { isUtf8 } from 'node:buffer';
import { canonicalJson, sha256 } from '../canonical';
import { AuditEventSchema, type AuditEvent } from '../schema/audit';
import { describeIssue } from '../schema/issues';
import { soundEvent, type LineMemo } from './fastCheck';
import { genesisHash } from './streams';

export type AuditProblemKind =
  | 'torn-tail'
  | 'invalid-json'
  | 'invalid-event'
  | 'not-canonical'
  | 'seq'
  | 'prev'
  | 'hash'
  | 'wrong-stream'
  | 'head-missing'
  | 'head-invalid'
  | 'head-mismatch'
  | 'head-lags'
  | 'truncated';

export interface AuditProblem {
  /** 1-based line of the stream file where the damage is. */
  readonly line: number;
  readonly kind: AuditProblemKind;
  readonly message: string;
}

/** The `.head` file beside a stream: the seq and hash of its last event. */
export interface StreamHead {
  readonly seq: number;
  readonly hash: string;
}

export interface StreamCheck {
  readonly events: number;
  /** The hash of the last good event (the genesis hash when none). */
  readonly lastHash: string;
  /** The first problem found, if any; everything before its line is intact. */
  readonly problem?: AuditProblem;
}

/** The hash an event must carry: sha256 over the canonical JSON of the event without `hash`. */
export function eventHash(event: Omit<AuditEvent, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = event;
  return sha256(canonicalJson(rest));
}

/**
 * eventHash() of a line already known to be canonical, without re-serialising it: keys are
 * sorted and `actor` always precedes `hash`, so the first `,"hash":"…"` is the top-level one
 * (a JSON string cannot hold an unescaped quote). Same bytes, half the work of verify.
 */
function unsignedHash(canonicalLine: string, hash: string): string | undefined {
  const field = `,"hash":"${hash}"`;
  const at = canonicalLine.indexOf(field);
  return at < 0 ? undefined : sha256(canonicalLine.slice(0, at) + canonicalLine.slice(at + field.length));
}

/** Whether a crash may have caused `kind`, so that `audit repair` may fix it. */
export function isRepairable(kind: AuditProblemKind): boolean {
  return kind === 'torn-tail' || kind === 'head-lags';
}

/** Lines are decoded this many bytes at a time (whole lines): one string per chunk, never one per file. */
const CHUNK_BYTES = 8 * 2 ** 20;

/**
 * Checks one stream's content line by line and returns the first problem, naming its line.
 * Pass the file's bytes (a string is encoded as UTF-8 first): a line that is not valid UTF-8
 * is damage, even where a lenient decoder would turn it back into the text that was hashed.
 * `head` is the parsed `.head` file: undefined when absent, `null` when unreadable.
 */
export function checkStream(stream: string, content: string | Uint8Array, head: StreamHead | null | undefined): StreamCheck {
  const chId = stream.startsWith('changes/') ? stream.slice('changes/'.length) : undefined;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const end = bytes.lastIndexOf(0x0a) + 1; // complete lines end here; anything after is a torn tail
  const state: ChainState = { chId, n: 0, prev: genesisHash(stream), head, hashAtHead: undefined, memo: {} };
  // The hash of the line the head points at, to recognise a head left behind by a crash.
  if (head?.seq === 0) state.hashAtHead = state.prev;
  for (let from = 0; from < end; ) {
    let to = end - from <= CHUNK_BYTES ? end : bytes.lastIndexOf(0x0a, from + CHUNK_BYTES) + 1;
    if (to <= from) to = bytes.indexOf(0x0a, from + CHUNK_BYTES) + 1; // one line longer than a chunk
    const chunk = bytes.subarray(from, to);
    from = to;
    if (isUtf8(chunk)) {
      // Valid UTF-8 holds a 0x0A byte only as a newline, so decoding the chunk once and
      // splitting the text gives each line's exact text.
      const lines = chunk.toString('utf8').split('\n');
      lines.pop();
      for (const line of lines) {
        const failed = checkLine(state, line);
        if (failed) return failed;
      }
    } else {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        const lineBytes = chunk.subarray(start, nl);
        start = nl + 1;
        // Decoding leniently would map different bytes to the same text (e.g. a lone F0 BF BD and
        // a real U+FFFD both decode to U+FFFD), so a changed byte could go unseen.
        const failed = isUtf8(lineBytes) ? checkLine(state, lineBytes.toString('utf8')) : fail(state, 'invalid-json', `line ${state.n + 1} is not valid JSON: it is not valid UTF-8 (bytes were altered)`);
        if (failed) return failed;
      }
    }
  }
  const { n, prev } = state;
  const tornBytes = bytes.length - end;
  if (tornBytes > 0) {
    return { events: n, lastHash: prev, problem: { line: n + 1, kind: 'torn-tail', message: `line ${n + 1} is torn (a write was cut off mid-line, e.g. by a crash): ${tornBytes} bytes without a newline` } };
  }
  return { events: n, lastHash: prev, ...headProblem(n, prev, state.hashAtHead, head) };
}

/** Where checkStream is in a stream: `n` good events so far, the last ending in `prev`. */
interface ChainState {
  readonly chId: string | undefined;
  n: number;
  prev: string;
  readonly head: StreamHead | null | undefined;
  hashAtHead: string | undefined;
  readonly memo: LineMemo;
}

function fail(state: ChainState, kind: AuditProblemKind, message: string): StreamCheck {
  return { events: state.n, lastHash: state.prev, problem: { line: state.n + 1, kind, message } };
}

/** Checks the next line (decoded from valid UTF-8) and moves `state` past it; returns the result if it is damaged. */
function checkLine(state: ChainState, line: string): StreamCheck | undefined {
  const lineNo = state.n + 1;
  // The fast path returning an event implies that every exact check below passes, the hash
  // included (see fastCheck.ts); otherwise those decide, and name the problem.
  let event = soundEvent(line, state.prev, state.memo);
  const hashChecked = event !== undefined;
  if (!event) {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return fail(state, 'invalid-json', `line ${lineNo} is not valid JSON (altered, or two lines merged)`);
    }
    const exact = exactLine(state, line, raw);
    if ('failed' in exact) return exact.failed;
    event = exact.event;
  }
  if (event.seq !== lineNo) {
    return fail(state, 'seq', `line ${lineNo} has seq ${event.seq}, expected ${lineNo}: a line before it was deleted, inserted or moved`);
  }
  if (event.prev !== state.prev) {
    return fail(state, 'prev', `line ${lineNo} does not chain to line ${lineNo - 1} (prev hash differs): lines were reordered, deleted or inserted`);
  }
  if (!hashChecked && unsignedHash(line, event.hash) !== event.hash) return fail(state, 'hash', `line ${lineNo} was altered: its content does not match its hash`);
  if (state.chId !== undefined && event.ch_id !== state.chId) {
    return fail(state, 'wrong-stream', `line ${lineNo} belongs to ${event.ch_id ?? 'no change'}, not to ${state.chId}`);
  }
  state.prev = event.hash;
  state.n = lineNo;
  if (state.head && state.head.seq === lineNo) state.hashAtHead = event.hash;
  return undefined;
}

/** The exact checks of one line: the zod schema, then the canonical form. */
function exactLine(state: ChainState, line: string, raw: unknown): { event: AuditEvent } | { failed: StreamCheck } {
  const lineNo = state.n + 1;
  let parsed: ReturnType<typeof AuditEventSchema.safeParse>;
  try {
    parsed = AuditEventSchema.safeParse(raw);
  } catch {
    // The schema's type lookup is a plain object: "constructor" finds Object, not a schema, and throws.
    const type = (raw as { type?: unknown }).type;
    return { failed: fail(state, 'invalid-event', `line ${lineNo} is not a valid audit event: type: unknown event type ${JSON.stringify(type)}`) };
  }
  if (!parsed.success) {
    return { failed: fail(state, 'invalid-event', `line ${lineNo} is not a valid audit event: ${parsed.error.issues.map(describeIssue).join('; ')}`) };
  }
  if (canonicalJson(raw) !== line) return { failed: fail(state, 'not-canonical', `line ${lineNo} was altered: it is not in the canonical form dynaforge writes`) };
  return { event: parsed.data as AuditEvent };
}

function headProblem(n: number, last: string, hashAtHead: string | undefined, head: StreamHead | null | undefined): { problem?: AuditProblem } {
  if (head === null) return { problem: { line: n, kind: 'head-invalid', message: 'the .head file beside this stream is unreadable' } };
  if (head === undefined) {
    if (n === 0) return {};
    if (n === 1) {
      // The first append of a new stream writes the line, then creates the head: a crash between the two leaves no head.
      return { problem: { line: 1, kind: 'head-lags', message: 'the head was never written: line 1 was appended but its .head not created (a crash between the two writes)' } };
    }
    return { problem: { line: n, kind: 'head-missing', message: `the .head file is missing, so a deleted tail could not be detected (stream has ${n} events)` } };
  }
  if (head.seq > n) {
    return { problem: { line: n + 1, kind: 'truncated', message: `line ${n + 1} is missing: the head records ${head.seq} events but the file holds ${n} (lines were deleted from the end)` } };
  }
  if (head.seq === n && head.hash === last) return {};
  if (head.seq < n && head.hash === hashAtHead) {
    // Lines after the head chain correctly: they were appended and the process died before
    // updating the head. (A forger who appends valid lines could update the head too, so
    // treating this as crash damage gives nothing away.)
    const lines = head.seq === n - 1 ? `line ${n} was` : `lines ${head.seq + 1}–${n} were`;
    return { problem: { line: head.seq + 1, kind: 'head-lags', message: `the head stops at line ${head.seq}: ${lines} appended but the head not updated (a crash between the two writes)` } };
  }
  return { problem: { line: head.seq < n ? head.seq + 1 : n, kind: 'head-mismatch', message: `the head (seq ${head.seq}) does not match the stream: lines were rewritten or appended outside dynaforge` } };
}
