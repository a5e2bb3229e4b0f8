import { AUDIT_EVENT_VERSION, AuditPayloads, type AuditEvent } from '../schema/audit';

/*
 * AuditEventSchema's envelope, checked by hand for the verify hot path (see fastCheck.ts).
 * Every rule below mirrors one of the schema's, field by field; the payload is still checked
 * by its own zod schema. test/unit/audit/fastCheck.test.ts proves that isValidEvent() and
 * the zod schema accept exactly the same values.
 */

const CHANGE_ID = /^CH-\d{3,}$/;
/** `z.iso.datetime()` with its defaults: UTC (`Z`), seconds required, any fraction of a second. */
const ISO_UTC = /^(\d{4})-(\d\d)-(\d\d)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

/**
 * Values a stream's lines repeat (the events one command writes share their time; a change
 * stream holds one change id), remembered once found valid so the next line skips the work.
 * One per stream being checked: nothing outlives it.
 */
export interface EnvelopeMemo {
  iso?: string;
  changeId?: string;
}

/** Whether `z.iso.datetime()` accepts `s`: the form above, on a real calendar day (Gregorian leap years, year 0000 included). */
export function isIsoUtc(s: string): boolean {
  const m = ISO_UTC.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

/** `/^[0-9a-f]{64}$/` */
export function isHex64(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isNonEmptyString(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0;
}

function isActor(x: unknown): boolean {
  if (!isObject(x)) return false;
  // for…in, not Object.keys: no array to allocate. It also walks inherited enumerable keys,
  // which JSON.parse objects have none of (were there any, refusing them is on the safe side).
  for (const k in x) if (k !== 'kind' && k !== 'id' && k !== 'role') return false;
  return (x.kind === 'human' || x.kind === 'agent') && isNonEmptyString(x.id) && isNonEmptyString(x.role);
}

/** Whether `k` is a key of the envelope. */
function isEnvelopeKey(k: string): boolean {
  switch (k) {
    case 'v':
    case 'seq':
    case 'ts':
    case 'type':
    case 'ch_id':
    case 'actor':
    case 'run_id':
    case 'correlation_id':
    case 'payload':
    case 'prev':
    case 'hash':
      return true;
    default:
      return false;
  }
}

/** AuditEventSchema, but for the hex format of `prev` and `hash`, which callers may establish more cheaply themselves. */
export function isValidButHashes(raw: unknown, memo: EnvelopeMemo = {}): raw is AuditEvent {
  if (!isObject(raw)) return false;
  for (const k in raw) if (!isEnvelopeKey(k)) return false;
  const { v, seq, ts, type, ch_id, actor, run_id, correlation_id, payload, prev, hash: h } = raw;
  if (v !== AUDIT_EVENT_VERSION) return false;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return false;
  if (typeof ts !== 'string') return false;
  if (ts !== memo.iso) {
    if (!isIsoUtc(ts)) return false;
    memo.iso = ts;
  }
  // Own keys only: "constructor" must not find Object.prototype's.
  if (typeof type !== 'string' || !Object.hasOwn(AuditPayloads, type)) return false;
  if (ch_id !== undefined && ch_id !== memo.changeId) {
    if (typeof ch_id !== 'string' || !CHANGE_ID.test(ch_id)) return false;
    memo.changeId = ch_id;
  }
  if (!isActor(actor)) return false;
  if (run_id !== undefined && !isNonEmptyString(run_id)) return false;
  if (!isNonEmptyString(correlation_id)) return false;
  // z.record() wants a plain object: every non-array object JSON.parse makes is one. It then
  // hands the payload schema a copy, which an own "__proto__" key does not survive (assigning
  // it sets a prototype); leave that rare case to zod, so the check below sees what zod sees.
  if (!isObject(payload) || Object.hasOwn(payload, '__proto__')) return false;
  if (typeof prev !== 'string' || typeof h !== 'string') return false;
  return AuditPayloads[type as keyof typeof AuditPayloads].safeParse(payload).success;
}

/**
 * Whether AuditEventSchema accepts `raw`, a value JSON.parse made: the envelope by hand, the
 * payload by the zod schema of its type. The same answer as
 * `AuditEventSchema.safeParse(raw).success`, without zod's cost on the envelope.
 */
export function isValidEvent(raw: unknown): raw is AuditEvent {
  return isValidButHashes(raw) && isHex64(raw.prev) && isHex64(raw.hash);
}
