import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { genesisHash } from '../../../src/core/audit/streams';
import { checkStream } from '../../../src/core/audit/verify';
import { canonicalJson } from '../../../src/core/canonical';
import { PROJECT, assertProblem, command, concern, openLog, rehashed, seed, tempDirs, type TestLog } from './auditFixtures';

/** Each realistic tampering of a healthy 3-event stream is reported as the right kind, at the right line. */
describe('audit verify: every kind of damage, at its line', () => {
  const tmp = tempDirs();
  let t: TestLog;
  let lines: string[];
  const verify = (stream = PROJECT) => t.log.verifyStream(stream);
  const parsed = (i: number): Record<string, unknown> => JSON.parse(lines[i] as string) as Record<string, unknown>;

  beforeEach(async () => {
    t = openLog(tmp.make());
    await seed(t, 3);
    lines = t.lines();
  });

  it('a healthy log verifies, counting its events', async () => {
    await t.log.append(concern('CH-001', 'ok'));
    const r = await t.log.verify();
    assert.deepEqual(r, {
      ok: true,
      events: 4,
      streams: [
        { stream: 'changes/CH-001', file: 'audit/changes/CH-001.jsonl', events: 1 },
        { stream: PROJECT, file: 'audit/project/main.ada.jsonl', events: 3 },
      ],
    });
  });

  it('invalid-json: a merge-conflict marker left in the file', async () => {
    t.writeLines([lines[0] as string, '<<<<<<< HEAD', ...lines.slice(1)]);
    const r = verify();
    assertProblem(r, 'invalid-json', 2, /^line 2 is not valid JSON/);
    assert.equal(r.events, 1, 'the events before the damage still count');
    assert.equal(r.file, 'audit/project/main.ada.jsonl');
  });

  it('invalid-json: two lines merged by a deleted newline', async () => {
    writeFileSync(t.file(), `${lines[0]}\n${lines[1]}${lines[2]}\n`);
    assertProblem(verify(), 'invalid-json', 2, /two lines merged/);
  });

  it('invalid-json: a changed byte that leaves invalid UTF-8 decoding to the very same text', async () => {
    await t.log.append(concern('CH-001', 'one'));
    await t.log.append(concern('CH-001', 'a literal \uFFFD in the text'));
    const bytes = readFileSync(t.file('changes/CH-001'));
    const at = bytes.indexOf(Buffer.from('\uFFFD'));
    const changed = Buffer.from(bytes);
    changed[at] = 0xf0; // EF BF BD -> F0 BF BD: a cut-off 4-byte sequence, which decodes to one U+FFFD as well
    assert.equal(changed.toString('utf8'), bytes.toString('utf8'), 'a lenient decoder cannot see the change');
    writeFileSync(t.file('changes/CH-001'), changed);
    assertProblem(verify('changes/CH-001'), 'invalid-json', 2, /^line 2 is not valid JSON: it is not valid UTF-8/);
  });

  it('invalid-event: an unknown event type', async () => {
    lines[1] = rehashed({ ...parsed(1), type: 'command.deleted' });
    t.writeLines(lines);
    assertProblem(verify(), 'invalid-event', 2, /^line 2 is not a valid audit event: type: unknown event type "command\.deleted"/);
  });

  it('invalid-event: a payload that breaks its schema, or an unknown envelope field', async () => {
    lines[2] = rehashed({ ...parsed(2), payload: { ...(parsed(2).payload as object), exit_code: 'zero' } });
    t.writeLines(lines);
    assertProblem(verify(), 'invalid-event', 3, /line 3 .*payload\.exit_code/);
    lines[2] = rehashed({ ...parsed(2), approved_by: 'mallory' });
    t.writeLines(lines);
    assertProblem(verify(), 'invalid-event', 3, /approved_by/);
  });

  it('not-canonical: a line re-serialised by an editor (key order changed)', async () => {
    const { hash, ...rest } = parsed(1);
    lines[1] = JSON.stringify({ hash, ...rest });
    assert.notEqual(lines[1], t.lines()[1]);
    t.writeLines(lines);
    assertProblem(verify(), 'not-canonical', 2, /^line 2 was altered: it is not in the canonical form/);
  });

  it('seq: a line deleted from the middle', async () => {
    t.writeLines([lines[0] as string, lines[2] as string]);
    assertProblem(verify(), 'seq', 2, /^line 2 has seq 3, expected 2/);
  });

  it('prev: a line deleted and the rest renumbered and re-hashed, but not re-chained', async () => {
    t.writeLines([lines[0] as string, rehashed({ ...parsed(2), seq: 2 })]);
    writeFileSync(t.head(), `${canonicalJson({ hash: JSON.parse(t.lines()[1] as string).hash, seq: 2 })}\n`);
    assertProblem(verify(), 'prev', 2, /^line 2 does not chain to line 1/);
  });

  it('hash: a value edited in place (still canonical JSON)', async () => {
    lines[1] = (lines[1] as string).replace('"exit_code":0', '"exit_code":1');
    t.writeLines(lines);
    assertProblem(verify(), 'hash', 2, /^line 2 was altered: its content does not match its hash/);
  });

  it('wrong-stream: an event of CH-002 re-chained into CH-001\'s file', async () => {
    const [own] = await t.log.appendMany([concern('CH-001', 'mine')]);
    const foreign = await t.log.append(concern('CH-002', 'belongs elsewhere'));
    const moved = rehashed({ ...foreign, seq: 2, prev: own?.hash });
    t.writeLines([canonicalJson(own), moved], 'changes/CH-001');
    writeFileSync(t.head('changes/CH-001'), `${canonicalJson({ hash: JSON.parse(moved).hash, seq: 2 })}\n`);
    assertProblem(verify('changes/CH-001'), 'wrong-stream', 2, /^line 2 belongs to CH-002, not to CH-001/);
  });

  it('prev: a change stream copied under another change id (the genesis hash binds a chain to its stream)', async () => {
    await t.log.append(concern('CH-002', 'x'));
    writeFileSync(t.file('changes/CH-001'), readFileSync(t.file('changes/CH-002')));
    writeFileSync(t.head('changes/CH-001'), readFileSync(t.head('changes/CH-002')));
    assertProblem(verify('changes/CH-001'), 'prev', 1);
  });

  it('head-missing: the .head file deleted', async () => {
    rmSync(t.head());
    assertProblem(verify(), 'head-missing', 3, /\.head file is missing.*3 events/);
  });

  it('head-invalid: the .head file is not a head', async () => {
    writeFileSync(t.head(), '{"seq":"three"}\n');
    assertProblem(verify(), 'head-invalid', 3, /unreadable/);
  });

  it('head-mismatch: the head rewritten, or lines appended outside dynaforge', async () => {
    writeFileSync(t.head(), `${canonicalJson({ hash: 'f'.repeat(64), seq: 3 })}\n`);
    assertProblem(verify(), 'head-mismatch', 3, /the head \(seq 3\) does not match/);
    const head2 = `${canonicalJson({ hash: parsed(1).hash, seq: 2 })}\n`;
    const fourth = rehashed({ ...parsed(2), seq: 4, prev: parsed(2).hash });
    const fifth = rehashed({ ...JSON.parse(fourth), seq: 5, prev: JSON.parse(fourth).hash });
    t.writeLines([...lines, fourth, fifth]);
    writeFileSync(t.head(), `${canonicalJson({ hash: parsed(1).hash, seq: 3 })}\n`);
    assertProblem(verify(), 'head-mismatch', 4, /appended outside dynaforge/);
    // Lines after a true head that chain correctly look like a crash mid-batch: head-lags,
    // repairable (a forger able to append valid lines could rewrite the head as well).
    writeFileSync(t.head(), `${canonicalJson({ hash: parsed(2).hash, seq: 3 })}\n`);
    assertProblem(verify(), 'head-lags', 4, /lines 4–5 were appended/);
    writeFileSync(t.head(), head2);
    t.writeLines([...lines, fourth]);
    assertProblem(verify(), 'head-lags', 3, /lines 3–4 were appended/);
    writeFileSync(t.head(), `${canonicalJson({ hash: parsed(0).hash, seq: 2 })}\n`);
    assertProblem(verify(), 'head-mismatch', 3);
  });

  it('head-lags: the event was appended but a crash kept the old head', async () => {
    const oldHead = readFileSync(t.head());
    await t.log.append(command(4));
    writeFileSync(t.head(), oldHead);
    assertProblem(verify(), 'head-lags', 4, /the head stops at line 3: line 4 was appended but the head not updated/);
  });

  it('truncated: the last line deleted (only the head can see this)', async () => {
    t.writeLines(lines.slice(0, 2));
    assertProblem(verify(), 'truncated', 3, /^line 3 is missing: the head records 3 events but the file holds 2/);
    t.writeLines([]);
    assertProblem(verify(), 'truncated', 1, /records 3 events but the file holds 0/);
  });

  it('truncated: the whole stream file deleted', async () => {
    rmSync(t.file());
    const r = await t.log.verify();
    const [s] = r.streams;
    assert.ok(s && !r.ok);
    assertProblem(s, 'truncated', 1, /stream file is missing but its head records 3 events/);
  });

  it('torn-tail: a write cut off mid-line', async () => {
    appendFileSync(t.file(), (lines[2] as string).slice(0, 40));
    const r = verify();
    assertProblem(r, 'torn-tail', 4, /^line 4 is torn .*: 40 bytes without a newline/);
    assert.equal(r.events, 3);
  });

  it('reports the first problem when there are several', async () => {
    lines[2] = (lines[2] as string).replace('"exit_code":0', '"exit_code":2');
    lines[1] = (lines[1] as string).replace('"exit_code":0', '"exit_code":1');
    t.writeLines(lines);
    appendFileSync(t.file(), '{"torn');
    assertProblem(verify(), 'hash', 2);
  });
});

describe('audit checkStream (pure)', () => {
  it('accepts an empty stream without a head, and nothing else without one', () => {
    assert.deepEqual(checkStream(PROJECT, '', undefined), { events: 0, lastHash: genesisHash(PROJECT) });
    assert.equal(checkStream(PROJECT, '', { seq: 1, hash: 'a'.repeat(64) }).problem?.kind, 'truncated');
  });

  it('genesis hashes differ per stream', () => {
    assert.notEqual(genesisHash('changes/CH-001'), genesisHash('changes/CH-002'));
    assert.notEqual(genesisHash(PROJECT), genesisHash('project/main.bob'));
  });
});
