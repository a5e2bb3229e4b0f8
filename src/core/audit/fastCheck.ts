import { hash } from 'node:crypto';
import type { AuditEvent } from '../schema/audit';
import { readCanonicalLine, type HeadMemo } from './canonicalLine';
import { isValidButHashes, type EnvelopeMemo } from './envelope';

/*
 * The verify hot path. For every line, `audit verify` must know whether AuditEventSchema
 * accepts it, whether its bytes are canonicalJson() of it, and whether its hash matches.
 * Parsing each line, checking it with zod and writing it back out with safe-stable-stringify
 * answers that exactly, but took most of verify's time. soundEvent() answers it faster for
 * the common case, a good line:
 *
 * - readCanonicalLine() (canonicalLine.ts) reads the line only if it is canonical, checking
 *   it piece by piece as it goes: no JSON.parse of the whole line and no re-serialising;
 *   only the payload goes through JSON.parse.
 * - isValidButHashes() (envelope.ts) checks the envelope by hand, mirroring the schema; the
 *   payload is checked by its own zod schema, so zod stays the single source of truth.
 * - The hash is taken over the line's own text minus its hash field: for a canonical line
 *   that is exactly canonicalJson() of the event without `hash`, as eventHash() defines it.
 *
 * Soundness rests on one direction: whenever soundEvent() returns an event, the exact checks
 * pass on that line. When it returns undefined, verify checks the line the exact way (zod,
 * canonicalJson), which decides and names the problem. So no line passes that the exact
 * checks would fail, and every problem is reported as before: same kind, line and message.
 * test/unit/audit/fastCheck.test.ts proves both halves against zod and against the verifier
 * as it was before this path existed.
 *
 * Writes never take this path: buildEvent() validates every event with zod before writing.
 */

/** What soundEvent() remembers from line to line of one stream (see EnvelopeMemo, HeadMemo). */
export type LineMemo = EnvelopeMemo & HeadMemo;

/** `,"hash":"` + 64 hex digits + `"` */
const HASH_FIELD_LENGTH = 74;

/**
 * The event on `line` if it is good and chains to `prev`: valid, canonical, and its hash
 * matching its content; otherwise undefined, and the caller re-checks the line the exact way.
 * `prev` must be a 64-digit hex hash (the genesis hash, or a verified line's): a `prev`
 * equal to it has the format zod wants, and so does a `hash` equal to a sha256 digest.
 * `memo` carries what one line taught to the next line of the same stream.
 */
export function soundEvent(line: string, prev: string, memo: LineMemo = {}): AuditEvent | undefined {
  try {
    const read = readCanonicalLine(line, memo);
    if (!read) return undefined;
    const { event, hashAt } = read;
    if (!isValidButHashes(event, memo) || event.prev !== prev) return undefined;
    return hash('sha256', line.slice(0, hashAt) + line.slice(hashAt + HASH_FIELD_LENGTH)) === event.hash ? event : undefined;
  } catch {
    // E.g. a payload nested deeper than the stack can walk: no payload dynaforge writes nests
    // like that, and the exact path reports such a line as it always did.
    return undefined;
  }
}
