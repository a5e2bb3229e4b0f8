import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { z } from 'zod';
import { canonicalValue, readCanonicalLine } from '../../../src/core/audit/canonicalLine';
import { isIsoUtc, isValidEvent } from '../../../src/core/audit/envelope';
import { soundEvent } from '../../../src/core/audit/fastCheck';
import { genesisHash } from '../../../src/core/audit/streams';
import { checkStream, eventHash, type StreamHead } from '../../../src/core/audit/verify';
import { canonicalJson } from '../../../src/core/canonical';
import { AuditEventSchema, AuditPayloads, type AuditEvent, type AuditEventInput } from '../../../src/core/schema/audit';
import { byteChoice, eventInput, isoTime, text } from './auditArbitraries';
import { damaged, damageStream, EDGES, ENVELOPE, forged, makeEvent, mutate, mutation, validEvent, zodAccepts, type Mutation } from './fastCheckFixtures';
import { referenceCheckStream } from './referenceVerify';

/**
 * The verify fast path (src/core/audit/fastCheck.ts) must never pass what zod or the
 * canonical form would fail, and verify must report exactly what it reported before.
 * Everything here is in memory, so the runs are cheap; raise with AUDIT_PROP_RUNS.
 */
const RUNS = Number(process.env.AUDIT_PROP_RUNS ?? 150) * 4;

describe('audit verify fast path (fastCheck.ts) against zod and canonicalJson', function () {
  this.timeout(120_000);

  it('envelope.ts mirrors the envelope AuditEventSchema has today (its JSON Schema is unchanged)', () => {
    // If this fails, the schema's envelope changed: make isValidButHashes() (envelope.ts) and,
    // for a new or renamed key, readCanonicalLine() (canonicalLine.ts) match it, then update
    // this copy. (A change to the superRefine, which dispatches payloads, does not show here.)
    const pattern = String.raw`^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$`;
    assert.deepEqual(z.toJSONSchema(AuditEventSchema), {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        v: { type: 'number', const: 1 },
        seq: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        ts: { type: 'string', format: 'date-time', pattern },
        type: { type: 'string' },
        ch_id: { type: 'string', pattern: String.raw`^CH-\d{3,}$` },
        actor: { type: 'object', properties: { kind: { type: 'string', enum: ['human', 'agent'] }, id: { type: 'string', minLength: 1 }, role: { type: 'string', minLength: 1 } }, required: ['kind', 'id', 'role'], additionalProperties: false },
        run_id: { type: 'string', minLength: 1 },
        correlation_id: { type: 'string', minLength: 1 },
        payload: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} },
        prev: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
      required: ['v', 'seq', 'ts', 'type', 'actor', 'correlation_id', 'payload', 'prev', 'hash'],
      additionalProperties: false,
    });
  });

  it('isValidEvent accepts exactly what AuditEventSchema accepts: valid events, and each with a field deleted, replaced or added', () => {
    fc.assert(
      fc.property(validEvent, fc.array(mutation, { minLength: 0, maxLength: 2 }), (event, ms) => {
        let raw: unknown = JSON.parse(canonicalJson(event));
        for (const m of ms) raw = mutate(raw as AuditEvent, m);
        const payload = (raw as { payload?: unknown }).payload;
        // zod's z.record() copies the payload before the payload schema sees it, and the copy
        // loses an own "__proto__" key (assigning it sets a prototype): zod then passes what
        // the fast path, stricter, leaves to zod to decide.
        if (typeof payload === 'object' && payload !== null && Object.hasOwn(payload, '__proto__')) assert.equal(isValidEvent(raw), false);
        else assert.equal(isValidEvent(raw), zodAccepts(raw), canonicalJson(raw));
      }),
      { seed: 0xe17e, numRuns: RUNS * 2 },
    );
    for (const raw of [null, [], 'x', 1, true, {}]) assert.equal(isValidEvent(raw), false);
    // And every edge value in every field, every field deleted, every extra key added.
    const bases = fc.sample(validEvent, { seed: 7, numRuns: 3 });
    for (const event of bases) {
      for (const where of ['top', 'actor', 'payload'] as const) {
        for (let pick = 0; pick < ENVELOPE.length; pick++) {
          const ops = [...EDGES.map((value) => ({ op: 'set', value })), { op: 'delete', value: null }, ...['extra', '__proto__', 'constructor', ''].map((extra) => ({ op: 'add', extra, value: 1 }))];
          for (const o of ops) {
            const raw = mutate(event, { where, pick, extra: 'extra', ...o } as Mutation);
            const payload = raw.payload;
            if (typeof payload === 'object' && payload !== null && Object.hasOwn(payload, '__proto__')) assert.equal(isValidEvent(raw), false);
            else assert.equal(isValidEvent(raw), zodAccepts(raw), canonicalJson(raw));
          }
        }
      }
    }
  });

  it('isIsoUtc accepts exactly what z.iso.datetime() accepts', () => {
    const zodIso = z.iso.datetime();
    const same = (s: string): void => assert.equal(isIsoUtc(s), zodIso.safeParse(s).success, s);
    // Every calendar edge: leap years (by 4, not by 100, by 400, year 0000), month lengths.
    for (const y of ['0000', '0004', '1900', '1996', '2000', '2023', '2024', '2100', '2400', '9999']) {
      for (let mo = 0; mo <= 13; mo++) for (let d = 0; d <= 32; d++) same(`${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T09:00:00Z`);
    }
    // Every edge of the time of day and the zone.
    for (const sep of ['T', 't', ' ']) {
      for (const h of ['00', '09', '19', '20', '23', '24', '9']) {
        for (const mi of ['00', '59', '60', '5']) {
          for (const sec of ['', ':00', ':59', ':60', ':5']) {
            for (const frac of ['', '.', '.0', '.123', '.123456789', '.x']) for (const zone of ['Z', 'z', '', '+00:00', '-01:30', 'ZZ', 'Z\n']) same(`2024-02-29${sep}${h}:${mi}${sec}${frac}${zone}`);
          }
        }
      }
    }
    const parts = fc
      .record({
        y: fc.constantFrom('0000', '1900', '2000', '2023', '2024', '2100', '2400', '9999', '20x6', '202', '２０２６'),
        mo: fc.constantFrom('00', '01', '02', '04', '06', '09', '11', '12', '13', '1'),
        d: fc.constantFrom('00', '01', '28', '29', '30', '31', '32', '1'),
        sep: fc.constantFrom('T', 'T', 't', ' '),
        h: fc.constantFrom('00', '09', '19', '20', '23', '24', '9'),
        mi: fc.constantFrom('00', '59', '60'),
        s: fc.constantFrom('00', '59', '60', ''),
        frac: fc.constantFrom('', '', '.', '.0', '.123', '.123456789', '.x'),
        zone: fc.constantFrom('Z', 'Z', 'z', '', '+00:00', '-01:30', 'ZZ', 'Z\n'),
      })
      .map((p) => `${p.y}-${p.mo}-${p.d}${p.sep}${p.h}:${p.mi}${p.s ? `:${p.s}` : ''}${p.frac}${p.zone}`);
    const nudged = fc.tuple(isoTime, fc.nat(), fc.string({ minLength: 0, maxLength: 1 })).map(([t, i, c]) => t.slice(0, i % t.length) + c + t.slice((i % t.length) + 1));
    fc.assert(
      fc.property(fc.oneof(parts, isoTime, nudged, fc.string({ maxLength: 30 })), (s) => {
        assert.equal(isIsoUtc(s), zodIso.safeParse(s).success, s);
      }),
      { seed: 0x15017, numRuns: RUNS * 4 },
    );
  });

  it('canonicalValue is canonicalJson for any value JSON.parse makes', () => {
    const tricky = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.double({ noNaN: true }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.oneof(text, fc.constantFrom('10', '9', '', '__proto__', 'a', 'b')), tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), tricky), (v) => {
        const json = JSON.stringify(v);
        const parsed: unknown = JSON.parse(json);
        assert.equal(canonicalValue(parsed), canonicalJson(parsed), json);
      }),
      { seed: 0xca701, numRuns: RUNS * 2 },
    );
    for (const json of ['{"10":1,"9":2,"":3,"__proto__":{"b":1,"a":2},"é":0,"😀":1,"\\ud800":2}', '[-0,1e400,-1e400,1E2,0.1,1e-7,123456789012345678901234,5e-324]', '"\\ud800\\u001f\\u2028\\"\\\\/"']) {
      const parsed: unknown = JSON.parse(json);
      assert.equal(canonicalValue(parsed), canonicalJson(parsed), json);
    }
  });

  const lineDamage = fc.oneof(
    fc.record({ kind: fc.constant('byte' as const), pick: fc.nat(), choice: byteChoice }),
    fc.record({ kind: fc.constant('forge' as const), m: mutation }),
    fc.record({ kind: fc.constant('reserialise' as const), how: fc.constantFrom('space', 'reorder', 'escape', 'number') }),
  );

  it('readCanonicalLine reads every canonical line, and gives an event only for the line canonicalJson writes of it', () => {
    for (const type of Object.keys(AuditPayloads)) assert.equal(JSON.stringify(type), `"${type}"`, 'event types are written without escapes');
    fc.assert(
      fc.property(validEvent, lineDamage, (event, d) => {
        const line = canonicalJson(event);
        const read = readCanonicalLine(line);
        assert.ok(read, `a canonical line was not read: ${line}`);
        assert.deepStrictEqual(read.event, event);
        assert.equal(read.hashAt, line.indexOf(`,"hash":"${event.hash}"`));
        const bad = damaged(event, line, d);
        const other = readCanonicalLine(bad);
        // For the values it returns as raw text, the promise holds once the envelope is valid.
        if (other && isValidEvent(other.event)) assert.equal(canonicalJson(other.event), bad, 'read a line that is not canonical');
      }),
      { seed: 0x5b117, numRuns: RUNS * 2 },
    );
  });

  it('soundEvent passes every good line, and only lines zod, the canonical form and the hash all pass', () => {
    fc.assert(
      fc.property(validEvent, lineDamage, (event, d) => {
        const line = canonicalJson(event);
        assert.deepStrictEqual(soundEvent(line, event.prev), event, 'a good line takes the fast path');
        assert.equal(soundEvent(line, 'f'.repeat(64)), undefined, 'only when it chains to prev');
        const bad = damaged(event, line, d);
        const passed = soundEvent(bad, event.prev);
        if (passed) {
          const raw: unknown = JSON.parse(bad);
          assert.ok(zodAccepts(raw), `zod rejects what the fast path passed: ${bad}`);
          assert.equal(canonicalJson(raw), bad, 'the fast path passed a line that is not canonical');
          assert.equal(eventHash(raw as AuditEvent), (raw as AuditEvent).hash, 'the fast path passed a wrong hash');
          assert.deepStrictEqual(passed, raw);
        }
      }),
      { seed: 0x50ed, numRuns: RUNS * 2 },
    );
  });

  it('readCanonicalLine refuses what canonicalJson never writes: raw control characters, lone surrogates, text after the end', () => {
    const event = fc.sample(validEvent, { seed: 11, numRuns: 1 })[0] as AuditEvent;
    const withId = (id: string): string => canonicalJson({ ...event, actor: { ...event.actor, id } }).replace(JSON.stringify(id), `"${id}"`);
    assert.ok(readCanonicalLine(withId('a😀b')), 'a surrogate pair is written as it is');
    for (const id of ['a\ud800b', 'a\udc00b', 'a\udc00\udc00b', 'a\ud800\ud800b', 'ab\ud800', 'a\u0001b', 'a\tb']) assert.equal(readCanonicalLine(withId(id)), undefined, JSON.stringify(id));
    const line = canonicalJson(event);
    for (const bad of [`${line}x`, `${line} `, `${line}}`, ` ${line}`, line.replace('"seq":', '"seq": ')]) assert.equal(readCanonicalLine(bad), undefined, bad);
  });

  it('soundEvent remembers from line to line only what it checked', () => {
    const stream = 'changes/CH-001';
    const [a, b] = fc.sample(eventInput(['CH-001']), { seed: 12, numRuns: 2 }) as [AuditEventInput, AuditEventInput];
    const first = makeEvent({ ...a, ch_id: 'CH-001' }, 1, '2026-11-21T09:00:00.000Z', genesisHash(stream));
    const memo = {};
    assert.ok(soundEvent(canonicalJson(first), first.prev, memo));
    for (const change of [{ ch_id: 'CH-01' }, { ts: '2026-02-30T09:00:00.000Z' }, { ts: '2026-11-21T09:00:00.000' }, { actor: { kind: 'robot', id: 'x', role: 'y' } }]) {
      const next = forged({ ...makeEvent({ ...b, ch_id: 'CH-001' }, 2, first.ts, first.hash), ...change });
      assert.equal(soundEvent(next, first.hash, memo), undefined, JSON.stringify(change));
    }
    const other = makeEvent({ ...b, ch_id: 'CH-001', actor: { kind: 'agent', id: 'bot', role: 'tester' } }, 2, '2026-11-22T10:00:00Z', first.hash);
    assert.deepStrictEqual(soundEvent(canonicalJson(other), first.hash, memo), other, 'a new actor and time are read, not remembered');
  });

  it('a payload nested deeper than the stack is reported as before, not a crash', () => {
    const stream = 'project/main.prop';
    const input = fc.sample(eventInput([undefined]), { seed: 13, numRuns: 1 })[0] as AuditEventInput;
    const line = canonicalJson(makeEvent(input, 1, '2026-11-21T09:00:00.000Z', genesisHash(stream)));
    const deep = line.replace('"payload":{', `"payload":{"": ${'['.repeat(100_000)}${']'.repeat(100_000)},`);
    const bytes = Buffer.from(`${deep}\n`);
    assert.deepEqual(checkStream(stream, bytes, undefined), referenceCheckStream(stream, bytes, undefined));
  });

  it('streams larger than a decoding chunk (8 MiB), and a line longer than one, verify and fail as before', () => {
    const stream = 'changes/CH-001';
    const build = (argLength: number, count: number): Buffer => {
      let prev = genesisHash(stream);
      const lines: string[] = [];
      for (let i = 1; i <= count; i++) {
        const e = makeEvent({ type: 'command', ch_id: 'CH-001', actor: { kind: 'human', id: 'Ada <ada@example.com>', role: 'user' }, correlation_id: `cor-${i}`, payload: { name: 'status', args: ['é'.repeat(argLength)], cwd: '.', outcome: 'ok', exit_code: 0 } }, i, '2026-11-21T09:00:00.000Z', prev);
        prev = e.hash;
        lines.push(canonicalJson(e));
      }
      return Buffer.from(`${lines.join('\n')}\n`);
    };
    const same = (bytes: Buffer, head: StreamHead | undefined): void => assert.deepEqual(checkStream(stream, bytes, head), referenceCheckStream(stream, bytes, head));
    const big = build(600, 7500); // ~9.5 MB: two chunks
    const last = JSON.parse(big.subarray(big.lastIndexOf(0x0a, big.length - 2) + 1).toString()) as AuditEvent;
    const head = { seq: 7500, hash: last.hash };
    assert.equal(checkStream(stream, big, head).problem, undefined);
    same(big, head);
    const boundary = big.lastIndexOf(0x0a, 8 * 2 ** 20) + 1;
    for (const at of [boundary - 1, boundary, boundary + 300]) {
      for (const value of [0x0a, 0xff, 0x31]) {
        const changed = Buffer.from(big);
        changed[at] = value === changed[at] ? 0x30 : value;
        same(changed, head);
      }
    }
    const long = build(5 * 2 ** 20, 2); // two lines of ~10 MB each
    same(long, { seq: 2, hash: (JSON.parse(long.subarray(long.indexOf(0x0a) + 1, long.length - 1).toString()) as AuditEvent).hash });
  });

  it('checkStream reports exactly what the verifier before the fast path reported, on any damage', () => {
    const arb = fc.record({
      chId: fc.constantFrom(undefined, 'CH-001'),
      inputs: fc.array(eventInput([undefined]), { minLength: 1, maxLength: 6 }),
      ts: isoTime,
      damage: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'swap' as const, 'cut' as const, 'rechain' as const, 'foreign' as const), at: fc.nat(), other: fc.nat() }),
          fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), pick: fc.nat(), choice: byteChoice }),
          fc.record({ kind: fc.constant('forge' as const), at: fc.nat(), m: mutation, rechain: fc.boolean() }),
          fc.record({ kind: fc.constant('reserialise' as const), at: fc.nat(), how: fc.constantFrom('space', 'reorder', 'escape', 'number') }),
        ),
        { maxLength: 2 },
      ),
      head: fc.constantFrom('true', 'none', 'unreadable', 'lagging', 'wrong', 'ahead'),
      at: fc.nat(),
    });
    const seen = new Set<string>();
    fc.assert(
      fc.property(arb, ({ chId, inputs, ts, damage, head, at }) => {
        const stream = chId ? `changes/${chId}` : 'project/main.prop';
        let prev = genesisHash(stream);
        const events = inputs.map((input, i) => {
          const { ch_id: _ignored, ...rest } = input;
          const e = makeEvent((chId ? { ...rest, ch_id: chId } : rest) as AuditEventInput, i + 1, ts, prev);
          prev = e.hash;
          return e;
        });
        const lines = events.map((e) => canonicalJson(e));
        const heads: Record<string, StreamHead | null | undefined> = {
          true: { seq: events.length, hash: prev },
          none: undefined,
          unreadable: null,
          lagging: { seq: at % events.length, hash: at % events.length === 0 ? genesisHash(stream) : (events[(at % events.length) - 1] as AuditEvent).hash },
          wrong: { seq: events.length, hash: 'f'.repeat(64) },
          ahead: { seq: events.length + 1, hash: prev },
        };
        let bytes: Buffer = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
        for (const d of damage) bytes = damageStream(stream, bytes, d);
        let expected: ReturnType<typeof checkStream>;
        try {
          expected = referenceCheckStream(stream, bytes, heads[head]);
        } catch {
          // Before, an event type such as "constructor" crashed verify; now it is reported.
          assert.equal(checkStream(stream, bytes, heads[head]).problem?.kind, 'invalid-event');
          return;
        }
        assert.deepEqual(checkStream(stream, bytes, heads[head]), expected);
        seen.add(expected.problem?.kind ?? 'ok');
      }),
      { seed: 0x0ac1e, numRuns: RUNS * 2 },
    );
    const kinds = ['ok', 'invalid-json', 'invalid-event', 'not-canonical', 'seq', 'prev', 'hash', 'wrong-stream', 'torn-tail', 'truncated', 'head-lags', 'head-mismatch', 'head-missing', 'head-invalid'];
    assert.deepEqual(kinds.filter((k) => !seen.has(k)), [], 'every kind of problem came up');
  });
});
