import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { AuditEvent, AuditEventInput } from '../../../src/core/schema/audit';
import { fixedClock } from '../../../src/core/ports/clock';
import { byteChoice, eventInput, isoTime, offsetFocus } from './auditArbitraries';
import { makeTempDir, openLog, removeDir, type TestLog } from './auditFixtures';

/** Runs per property; raise locally (AUDIT_PROP_RUNS=5000) for a deeper search. */
const RUNS = Number(process.env.AUDIT_PROP_RUNS ?? 150);
const CH_IDS = [undefined, 'CH-001', 'CH-002', 'CH-1234'] as const;

/** Runs `fn` on a fresh log in its own temp repository, removed afterwards. */
async function withLog<T>(iso: string, fn: (t: TestLog) => Promise<T>): Promise<T> {
  const root = makeTempDir();
  try {
    return await fn(openLog(root, 'project/main.prop', fixedClock(iso)));
  } finally {
    removeDir(root);
  }
}

/** A stream of `inputs.length` events (all to the stream of `chId`); returns its file's bytes. */
async function buildStream(t: TestLog, chId: string | undefined, inputs: readonly AuditEventInput[]): Promise<{ stream: string; bytes: Buffer }> {
  const stream = t.log.streamOf(chId);
  for (const input of inputs) {
    const { ch_id: _ignored, ...rest } = input;
    await t.log.append((chId ? { ...rest, ch_id: chId } : rest) as AuditEventInput);
  }
  const bytes = readFileSync(t.file(stream));
  assert.equal(t.log.verifyStream(stream).problem, undefined, 'the untouched stream verifies');
  return { stream, bytes };
}

/** The 1-based line holding byte `offset`: a line's terminating newline belongs to that line. */
function lineOfByte(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

function offsetsOf(bytes: Buffer, focus: 'any' | 'newline' | 'non-ascii' | 'utf8-lead' | 'structural'): number[] {
  const all = [...bytes.keys()];
  const pick = (p: (b: number) => boolean): number[] => all.filter((i) => p(bytes[i] as number));
  const chosen = focus === 'newline' ? pick((b) => b === 0x0a) : focus === 'non-ascii' ? pick((b) => b >= 0x80) : focus === 'utf8-lead' ? pick((b) => b >= 0xc0) : focus === 'structural' ? pick((b) => '{}[]":,0123456789'.includes(String.fromCharCode(b))) : all;
  return chosen.length > 0 ? chosen : all;
}

const streamArb = fc.record({
  iso: isoTime,
  chId: fc.constantFrom(undefined, 'CH-001'),
  inputs: fc.array(eventInput([undefined]), { minLength: 2, maxLength: 6 }),
});

describe('audit log properties (fast-check)', function () {
  this.timeout(120_000);

  it('(a) any sequence of valid appends and appendMany batches verifies, seq 1..n per stream, read returns what was written', async () => {
    const batches = fc.array(fc.array(eventInput(CH_IDS), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(isoTime, batches, (iso, bs) =>
        withLog(iso, async (t) => {
          const written: AuditEvent[] = [];
          for (const b of bs) written.push(...(b.length === 1 ? [await t.log.append(b[0] as AuditEventInput)] : await t.log.appendMany(b)));
          const report = await t.log.verify();
          assert.deepEqual(report.streams.filter((s) => s.problem), []);
          assert.equal(report.ok, true);
          assert.equal(report.events, written.length);
          const byStream = new Map<string, AuditEvent[]>();
          for (const e of written) byStream.set(t.log.streamOf(e.ch_id), [...(byStream.get(t.log.streamOf(e.ch_id)) ?? []), e]);
          assert.deepEqual(await t.log.streams(), [...byStream.keys()].sort());
          for (const [stream, events] of byStream) {
            assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), stream);
            assert.deepEqual(t.log.read(stream), events, `read(${stream}) gives back the events as written`);
          }
          const inputs = bs.flat();
          assert.deepEqual(written.map((e) => [e.type, e.ch_id, e.payload]), inputs.map((i) => [i.type, i.ch_id, i.payload]));
        }),
      ),
      { seed: 0x0a0d17, numRuns: RUNS },
    );
  });

  it('(b) changing any single byte of a stream of n >= 2 events is reported at the line holding that byte', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, offsetFocus, fc.nat(), byteChoice, ({ iso, chId, inputs }, focus, pick, choice) =>
        withLog(iso, async (t) => {
          const { stream, bytes } = await buildStream(t, chId, inputs);
          const candidates = offsetsOf(bytes, focus);
          const offset = candidates[pick % candidates.length] as number;
          const old = bytes[offset] as number;
          const replacement = choice.kind === 'delta' ? (old + choice.value) % 256 : choice.value === old ? (old + 1) % 256 : choice.value;
          const changed = Buffer.from(bytes);
          changed[offset] = replacement;
          writeFileSync(t.file(stream), changed);
          const r = t.log.verifyStream(stream);
          const where = `byte ${offset} 0x${old.toString(16)} -> 0x${replacement.toString(16)}`;
          assert.ok(r.problem, `not detected: ${where}`);
          assert.equal(r.problem.line, lineOfByte(bytes, offset), `${where}: ${r.problem.kind}: ${r.problem.message}`);
        }),
      ),
      { seed: 0x0b17e, numRuns: Math.round(RUNS * 1.4) },
    );
  });

  it('(c) deleting any one line is reported at that line, the last line included', async () => {
    const arb = fc.record({ iso: isoTime, chId: fc.constantFrom(undefined, 'CH-001'), inputs: fc.array(eventInput([undefined]), { minLength: 1, maxLength: 6 }), pick: fc.nat() });
    await fc.assert(
      fc.asyncProperty(arb, ({ iso, chId, inputs, pick }) =>
        withLog(iso, async (t) => {
          const { stream } = await buildStream(t, chId, inputs);
          const lines = t.lines(stream);
          const k = (pick % lines.length) + 1;
          t.writeLines(lines.filter((_, i) => i !== k - 1), stream);
          const r = t.log.verifyStream(stream);
          assert.ok(r.problem, `deleting line ${k} of ${lines.length} was not detected`);
          assert.deepEqual([r.problem.line, r.problem.kind], [k, k === lines.length ? 'truncated' : 'seq'], r.problem.message);
        }),
      ),
      { seed: 0x0c0de, numRuns: RUNS },
    );
  });

  it('(d) swapping any two distinct lines i < j is reported at line i', async () => {
    const arb = fc.record({ iso: isoTime, chId: fc.constantFrom(undefined, 'CH-001'), inputs: fc.array(eventInput([undefined]), { minLength: 2, maxLength: 6 }), a: fc.nat(), b: fc.nat() });
    await fc.assert(
      fc.asyncProperty(arb, ({ iso, chId, inputs, a, b }) =>
        withLog(iso, async (t) => {
          const { stream } = await buildStream(t, chId, inputs);
          const lines = t.lines(stream);
          const i = a % (lines.length - 1);
          const j = i + 1 + (b % (lines.length - 1 - i));
          const swapped = [...lines];
          [swapped[i], swapped[j]] = [lines[j] as string, lines[i] as string];
          t.writeLines(swapped, stream);
          const r = t.log.verifyStream(stream);
          assert.ok(r.problem, `swapping lines ${i + 1} and ${j + 1} was not detected`);
          assert.equal(r.problem.line, i + 1, `swap ${i + 1}<->${j + 1}: ${r.problem.kind}: ${r.problem.message}`);
        }),
      ),
      { seed: 0x0d5a9, numRuns: RUNS },
    );
  });
});
