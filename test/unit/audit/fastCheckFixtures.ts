/**
 * Fixtures of fastCheck.test.ts: valid events, envelope mutations, and damage to lines and
 * streams as editors, crashes and forgers (who know the format, or get it wrong) cause it.
 */
import fc from 'fast-check';
import { genesisHash } from '../../../src/core/audit/streams';
import { eventHash } from '../../../src/core/audit/verify';
import { canonicalJson, sha256 } from '../../../src/core/canonical';
import { AuditEventSchema, AuditPayloads, type AuditEvent, type AuditEventInput } from '../../../src/core/schema/audit';
import { eventInput, isoTime } from './auditArbitraries';

/** What zod says of a value; its type lookup throws on "constructor" and the like: a rejection. */
export function zodAccepts(raw: unknown): boolean {
  try {
    return AuditEventSchema.safeParse(raw).success;
  } catch {
    return false;
  }
}

/** The event `input` becomes at `seq` after `prev`, as AuditLog writes it. */
export function makeEvent(input: AuditEventInput, seq: number, ts: string, prev: string): AuditEvent {
  const { ch_id, run_id, ...rest } = input;
  const unsigned = { v: 1 as const, seq, ts, ...rest, ...(ch_id !== undefined ? { ch_id } : {}), ...(run_id !== undefined ? { run_id } : {}), prev };
  return { ...unsigned, hash: eventHash(unsigned as Omit<AuditEvent, 'hash'>) } as AuditEvent;
}

/** Values that sit on the edges of the envelope's formats. */
export const EDGES: unknown[] = [
  null, true, false, 0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, 1e21, '', ' ', 'x', 'human', 'agent', 'Human',
  'CH-001', 'CH-002', 'CH-01', 'CH-0001', 'ch-001', 'CH-001\n', ' CH-001', 'a'.repeat(64), 'A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}g`,
  '2026-11-21T09:00:00.000Z', '2026-11-21T09:00:00Z', '2024-02-29T23:59:59.999999Z', '2023-02-29T00:00:00Z', '2026-11-21T09:00Z', '2026-11-21T09:00:00+01:00', '2026-11-21 09:00:00Z',
  ...Object.keys(AuditPayloads), 'command.deleted', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
  [], ['x'], {}, { a: 1 }, { kind: 'human', id: 'a', role: 'r' },
];
export const ENVELOPE = ['v', 'seq', 'ts', 'type', 'ch_id', 'actor', 'run_id', 'correlation_id', 'payload', 'prev', 'hash'];

export const mutation = fc.record({
  where: fc.constantFrom('top', 'top', 'actor', 'payload'),
  op: fc.constantFrom('delete', 'set', 'set', 'add'),
  pick: fc.nat(),
  extra: fc.constantFrom('extra', '__proto__', 'constructor', 'toString', '', 'hash'),
  value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...EDGES) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
});
export type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** `event` with one field deleted, replaced or added, as a value JSON.parse makes. */
export function mutate(event: AuditEvent, m: Mutation): Record<string, unknown> {
  const copy = JSON.parse(canonicalJson(event)) as Record<string, unknown>;
  const target = m.where === 'top' ? copy : (copy[m.where] as Record<string, unknown>);
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return copy;
  const keys = m.where === 'top' ? ENVELOPE : m.where === 'actor' ? ['kind', 'id', 'role'] : [...Object.keys(target), 'note', 'name'];
  const key = m.op === 'add' ? m.extra : (keys[m.pick % keys.length] as string);
  // defineProperty: an own "__proto__" key, as JSON.parse makes one, not a new prototype.
  if (m.op === 'delete') delete target[key];
  else Object.defineProperty(target, key, { value: m.value, enumerable: true, writable: true, configurable: true });
  return JSON.parse(JSON.stringify(copy)) as Record<string, unknown>;
}

export const validEvent = fc.record({ input: eventInput([undefined, 'CH-001', 'CH-1234']), ts: isoTime, seq: fc.integer({ min: 1, max: 2 ** 40 }) }).map(({ input, ts, seq }) => makeEvent(input, seq, ts, genesisHash('project/main.prop')));

export type Reserialise = 'space' | 'reorder' | 'escape' | 'number';

/** The same event written otherwise than canonically, hashed over its own bytes: a forger who got the format wrong. */
export function reserialised(event: AuditEvent, how: Reserialise): string {
  const { hash: _h, ...rest } = event;
  const write = (o: object): string => {
    if (how === 'space') return JSON.stringify(o, null, 1).replace(/\n/g, '');
    if (how === 'reorder') return JSON.stringify(Object.fromEntries(Object.entries(o).reverse()));
    const line = canonicalJson(o);
    if (how === 'number') return line.replace(/"seq":(\d+)/, '"seq":$1.0');
    // The first character of the actor id as a \u escape, which JSON.parse reads back the same.
    const at = line.indexOf('"id":"') + 6;
    const c = line.charCodeAt(at);
    return c === 0x5c ? line : `${line.slice(0, at)}\\u${c.toString(16).padStart(4, '0')}${line.slice(at + 1)}`;
  };
  return write({ ...rest, hash: sha256(write(rest)) });
}

export type ByteChoice = { kind: 'delta' | 'byte'; value: number };
export type LineDamage = { kind: 'byte'; pick: number; choice: ByteChoice } | { kind: 'forge'; m: Mutation } | { kind: 'reserialise'; how: Reserialise };

function changeByte(bytes: Buffer, at: number, choice: ByteChoice): void {
  const old = bytes[at] as number;
  bytes[at] = choice.kind === 'delta' ? (old + choice.value) % 256 : choice.value === old ? (old + 1) % 256 : choice.value;
}

/** What a forger who knows the format writes: the value with its hash recomputed. */
export function forged(raw: Record<string, unknown>): string {
  const { hash: _h, ...rest } = raw;
  return canonicalJson({ ...rest, hash: eventHash(rest as Omit<AuditEvent, 'hash'>) });
}

/** One line of `event` (canonically `line`), damaged. */
export function damaged(event: AuditEvent, line: string, d: LineDamage): string {
  if (d.kind === 'reserialise') return reserialised(event, d.how);
  if (d.kind === 'forge') return forged(mutate(event, d.m));
  const bytes = Buffer.from(line, 'utf8');
  changeByte(bytes, d.pick % bytes.length, d.choice);
  return bytes.toString('utf8');
}

export type StreamDamage =
  | { kind: 'delete' | 'duplicate' | 'swap' | 'cut' | 'rechain' | 'foreign'; at: number; other: number }
  | { kind: 'byte'; at: number; pick: number; choice: ByteChoice }
  | { kind: 'forge'; at: number; m: Mutation; rechain: boolean }
  | { kind: 'reserialise'; at: number; how: Reserialise };

function parseEvent(line: Buffer | undefined): Record<string, unknown> | undefined {
  try {
    const e: unknown = JSON.parse(String(line));
    return typeof e === 'object' && e !== null && !Array.isArray(e) ? (e as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A stream's bytes after one kind of damage. */
export function damageStream(stream: string, content: Buffer, d: StreamDamage): Buffer {
  const bytes = Buffer.from(content);
  if (d.kind === 'byte') {
    if (bytes.length > 0) changeByte(bytes, d.pick % bytes.length, d.choice);
    return bytes;
  }
  if (d.kind === 'cut') return bytes.subarray(0, d.at % Math.max(1, bytes.length));
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, nl));
    start = nl + 1;
  }
  const tail = bytes.subarray(start);
  if (lines.length === 0) return bytes;
  const i = d.at % lines.length;
  let out = [...lines];
  if (d.kind === 'delete') out.splice(i, 1);
  else if (d.kind === 'duplicate') out.splice(i, 0, out[i] as Buffer);
  else if (d.kind === 'swap') {
    const j = d.other % lines.length;
    [out[i], out[j]] = [out[j] as Buffer, out[i] as Buffer];
  } else if (d.kind === 'rechain') out = rechain(stream, out, i);
  else if (d.kind === 'foreign') {
    // Another change's event (or a project event) moved in and the chain rebuilt around it.
    const e = parseEvent(out[i]);
    if (e) {
      const { ch_id: _c, ...rest } = e;
      out[i] = Buffer.from(forged(d.other % 2 === 0 ? rest : { ...rest, ch_id: 'CH-002' }));
      out = rechain(stream, out, i + 1);
    }
  } else {
    const e = parseEvent(out[i]);
    if (e && d.kind === 'reserialise') out[i] = Buffer.from(reserialised(e as unknown as AuditEvent, d.how));
    if (e && d.kind === 'forge') {
      out[i] = Buffer.from(forged(mutate(e as unknown as AuditEvent, d.m)));
      if (d.rechain) out = rechain(stream, out, i + 1);
    }
  }
  return Buffer.concat([...out.flatMap((l) => [l, Buffer.from('\n')]), tail]);
}

/** Renumbers and re-chains lines from `from` on, as a forger who knows the format would. */
function rechain(stream: string, lines: Buffer[], from: number): Buffer[] {
  const out = [...lines];
  for (let k = from; k < out.length; k++) {
    const e = parseEvent(out[k]);
    const prev = k === 0 ? genesisHash(stream) : parseEvent(out[k - 1])?.hash;
    if (!e || typeof prev !== 'string') return out;
    out[k] = Buffer.from(forged({ ...e, seq: k + 1, prev }));
  }
  return out;
}
