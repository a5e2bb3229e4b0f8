/**
 * The oracle of fastCheck.test.ts: checkStream() as it was before the verify fast path
 * (zod and canonicalJson on every line), kept verbatim so the tests can prove the fast path
 * reports exactly the same problem (kind, line, message) on any damaged stream.
 */
import { isUtf8 } from 'node:buffer';
import type { AuditProblem, AuditProblemKind, StreamCheck, StreamHead } from '../../../src/core/audit/verify';
import { genesisHash } from '../../../src/core/audit/streams';
import { canonicalJson, sha256 } from '../../../src/core/canonical';
import { AuditEventSchema, type AuditEvent } from '../../../src/core/schema/audit';
import { describeIssue } from '../../../src/core/schema/issues';

function unsignedHash(canonicalLine: string, hash: string): string | undefined {
  const field = `,"hash":"${hash}"`;
  const at = canonicalLine.indexOf(field);
  return at < 0 ? undefined : sha256(canonicalLine.slice(0, at) + canonicalLine.slice(at + field.length));
}

export function referenceCheckStream(stream: string, content: string | Uint8Array, head: StreamHead | null | undefined): StreamCheck {
  const chId = stream.startsWith('changes/') ? stream.slice('changes/'.length) : undefined;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, nl));
    start = nl + 1;
  }
  const tornBytes = bytes.length - start; // bytes after the last newline: a torn tail
  let prev = genesisHash(stream);
  // The hash of the line the head points at, to recognise a head left behind by a crash.
  let hashAtHead = head?.seq === 0 ? prev : undefined;
  let n = 0;
  for (const lineBytes of lines) {
    const lineNo = n + 1;
    const fail = (kind: AuditProblemKind, message: string): StreamCheck => ({ events: n, lastHash: prev, problem: { line: lineNo, kind, message } });
    // Decoding leniently would map different bytes to the same text (e.g. a lone F0 BF BD and
    // a real U+FFFD both decode to U+FFFD), so a changed byte could go unseen.
    if (!isUtf8(lineBytes)) return fail('invalid-json', `line ${lineNo} is not valid JSON: it is not valid UTF-8 (bytes were altered)`);
    const line = lineBytes.toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return fail('invalid-json', `line ${lineNo} is not valid JSON (altered, or two lines merged)`);
    }
    const parsed = AuditEventSchema.safeParse(raw);
    if (!parsed.success) {
      return fail('invalid-event', `line ${lineNo} is not a valid audit event: ${parsed.error.issues.map(describeIssue).join('; ')}`);
    }
    const event = parsed.data as AuditEvent;
    if (canonicalJson(raw) !== line) return fail('not-canonical', `line ${lineNo} was altered: it is not in the canonical form dynaforge writes`);
    if (event.seq !== lineNo) {
      return fail('seq', `line ${lineNo} has seq ${event.seq}, expected ${lineNo}: a line before it was deleted, inserted or moved`);
    }
    if (event.prev !== prev) {
      return fail('prev', `line ${lineNo} does not chain to line ${lineNo - 1} (prev hash differs): lines were reordered, deleted or inserted`);
    }
    if (unsignedHash(line, event.hash) !== event.hash) return fail('hash', `line ${lineNo} was altered: its content does not match its hash`);
    if (chId !== undefined && event.ch_id !== chId) {
      return fail('wrong-stream', `line ${lineNo} belongs to ${event.ch_id ?? 'no change'}, not to ${chId}`);
    }
    prev = event.hash;
    n += 1;
    if (head && head.seq === n) hashAtHead = prev;
  }
  if (tornBytes > 0) {
    return { events: n, lastHash: prev, problem: { line: n + 1, kind: 'torn-tail', message: `line ${n + 1} is torn (a write was cut off mid-line, e.g. by a crash): ${tornBytes} bytes without a newline` } };
  }
  return { events: n, lastHash: prev, ...headProblem(n, prev, hashAtHead, head) };
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
