import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256 } from '../../../src/core/canonical';
import type { AuditEvent } from '../../../src/core/schema/audit';
import { ACTOR, PROJECT, assertProblem, command, concern, nextLine, openLog, rejectsWith, seed, snapshot, tempDirs, type TestLog } from './auditFixtures';

describe('audit repair', () => {
  const tmp = tempDirs();
  let t: TestLog;
  beforeEach(() => {
    t = openLog(tmp.make());
  });

  it('moves a torn tail to audit/quarantine byte for byte, records audit.repaired, and the stream verifies', async () => {
    await t.log.append(concern('CH-001', 'one'));
    await t.log.append(concern('CH-001', 'two', 'CN-2'));
    // Cut inside the 4-byte emoji: the torn bytes are not even valid UTF-8.
    const line = await nextLine(t, concern('CH-001', 'Überprüfung läuft 😀 — fast fertig', 'CN-9'));
    const torn = line.subarray(0, line.indexOf(Buffer.from('😀')) + 2);
    appendFileSync(t.file('changes/CH-001'), torn);
    const intact = readFileSync(t.file('changes/CH-001')).subarray(0, -torn.length);
    assertProblem(t.log.verifyStream('changes/CH-001'), 'torn-tail', 3, new RegExp(`: ${torn.length} bytes without a newline`));

    const actions = await t.log.repair(ACTOR, 'corr-repair');
    const quarantined = join(t.auditDir, 'quarantine', readdirSync(join(t.auditDir, 'quarantine'))[0] as string);
    assert.deepEqual(actions, [{
      stream: 'changes/CH-001',
      file: 'audit/changes/CH-001.jsonl',
      action: 'moved-torn-tail',
      moved_to: `audit/quarantine/changes__CH-001.line-3.${sha256(torn).slice(0, 12)}.torn`,
      torn_bytes: torn.length,
      torn_sha256: sha256(torn),
    }]);
    assert.equal(join(t.root, actions[0]?.moved_to as string), quarantined);
    assert.ok(readFileSync(quarantined).equals(torn), 'the quarantined bytes are exactly the torn bytes');
    assert.ok(readFileSync(t.file('changes/CH-001')).subarray(0, intact.length).equals(intact), 'the intact lines are untouched');

    const events = t.events('changes/CH-001');
    assert.equal(events.length, 3);
    const rec = events[2] as AuditEvent;
    assert.deepEqual([rec.seq, rec.type, rec.ch_id, rec.correlation_id, rec.actor], [3, 'audit.repaired', 'CH-001', 'corr-repair', ACTOR]);
    assert.deepEqual(rec.payload, { stream: 'changes/CH-001', torn_line: 3, torn_bytes: torn.length, moved_to: actions[0]?.moved_to, torn_sha256: sha256(torn), head_fixed: false });
    assert.deepEqual(await t.log.verify(), { ok: true, events: 3, streams: [{ stream: 'changes/CH-001', file: 'audit/changes/CH-001.jsonl', events: 3 }] });
    await t.log.append(concern('CH-001', 'appends work again', 'CN-3'));
    assert.equal((await t.log.verify()).ok, true);
  });

  it('repairs a torn first line of a new stream', async () => {
    mkdirSync(dirname(t.file()), { recursive: true });
    appendFileSync(t.file(), '{"actor":{"id":"Ada');
    assertProblem(t.log.verifyStream(PROJECT), 'torn-tail', 1);
    await t.log.repair(ACTOR, 'corr-repair');
    assert.deepEqual(t.events().map((e) => [e.seq, e.type, e.payload.torn_line]), [[1, 'audit.repaired', 1]]);
    assert.equal((await t.log.verify()).ok, true);
  });

  it('brings a lagging head forward with an audit.repaired event', async () => {
    await seed(t, 2);
    const oldHead = readFileSync(t.head());
    await t.log.append(command(3));
    writeFileSync(t.head(), oldHead);
    assertProblem(t.log.verifyStream(PROJECT), 'head-lags', 3);
    const actions = await t.log.repair(ACTOR, 'corr-repair');
    assert.deepEqual(actions, [{ stream: PROJECT, file: 'audit/project/main.ada.jsonl', action: 'fixed-head' }]);
    assert.deepEqual(t.events().map((e) => [e.seq, e.type]), [[1, 'command'], [2, 'command'], [3, 'command'], [4, 'audit.repaired']]);
    assert.deepEqual(t.events()[3]?.payload, { stream: PROJECT, head_fixed: true });
    assert.equal((await t.log.verify()).ok, true);
  });

  it('a crash after the first append of a new stream (no head yet) is repairable crash damage', async () => {
    await t.log.append(concern('CH-001', 'first'));
    rmSync(t.head('changes/CH-001'));
    assertProblem(t.log.verifyStream('changes/CH-001'), 'head-lags', 1);
    await t.log.repair(ACTOR, 'corr-repair');
    assert.deepEqual(t.events('changes/CH-001').map((e) => e.type), ['concern.raised', 'audit.repaired']);
    assert.equal((await t.log.verify()).ok, true);
  });

  it('a crash in the middle of a first batch (head still at the genesis) is repairable', async () => {
    await t.log.appendMany([concern('CH-001', 'a'), concern('CH-001', 'b', 'CN-2'), concern('CH-001', 'c', 'CN-3')]);
    // What a first batch leaves when the process dies after its lines: the genesis head it wrote first.
    writeFileSync(t.head('changes/CH-001'), `{"hash":"${t.events('changes/CH-001')[0]?.prev}","seq":0}\n`);
    assertProblem(t.log.verifyStream('changes/CH-001'), 'head-lags', 1, /lines 1–3 were appended/);
    await t.log.repair(ACTOR, 'corr-repair');
    assert.deepEqual(t.events('changes/CH-001').map((e) => e.type), ['concern.raised', 'concern.raised', 'concern.raised', 'audit.repaired']);
    assert.equal((await t.log.verify()).ok, true);
  });

  it('a genesis head with no stream file (the first append died before its line) is an empty stream', async () => {
    await t.log.append(concern('CH-001', 'a'));
    const genesis = t.events('changes/CH-001')[0]?.prev;
    rmSync(t.file('changes/CH-001'));
    writeFileSync(t.head('changes/CH-001'), `{"hash":"${genesis}","seq":0}\n`);
    assert.equal(t.log.verifyStream('changes/CH-001').problem, undefined);
    const e = await t.log.append(concern('CH-001', 'b'));
    assert.deepEqual([e.seq, e.prev], [1, genesis]);
    assert.equal((await t.log.verify()).ok, true);
  });

  it('does nothing to a healthy log', async () => {
    await seed(t, 2);
    await t.log.append(concern('CH-001', 'x'));
    const before = snapshot(t.auditDir);
    assert.deepEqual(await t.log.repair(ACTOR, 'c'), []);
    assert.deepEqual(snapshot(t.auditDir), before);
  });

  it('repairs only the damaged stream, and only the streams asked for', async () => {
    await seed(t, 1);
    await t.log.append(concern('CH-001', 'x'));
    appendFileSync(t.file(), '{"torn');
    appendFileSync(t.file('changes/CH-001'), '{"torn');
    const project = readFileSync(t.file());
    assert.deepEqual((await t.log.repair(ACTOR, 'c', ['changes/CH-001'])).map((a) => a.stream), ['changes/CH-001']);
    assert.ok(readFileSync(t.file()).equals(project));
    assert.deepEqual(t.log.verifyStream('changes/CH-001').problem, undefined);
    assertProblem(t.log.verifyStream(PROJECT), 'torn-tail', 2);
  });

  const damage: ReadonlyArray<[string, (t: TestLog) => void, RegExp]> = [
    ['an edited value (hash)', (x) => x.writeLines(x.lines().map((l, i) => (i === 1 ? l.replace('"exit_code":0', '"exit_code":1') : l))), /line 2: line 2 was altered/],
    ['a deleted middle line (seq)', (x) => x.writeLines(x.lines().filter((_, i) => i !== 0)), /line 1: line 1 has seq 2/],
    ['a deleted last line (truncated)', (x) => x.writeLines(x.lines().slice(0, 2)), /line 3: line 3 is missing/],
    ['a deleted .head (head-missing)', (x) => rmSync(x.head()), /line 3: the \.head file is missing/],
    ['a rewritten .head (head-mismatch)', (x) => writeFileSync(x.head(), '{"hash":"00","seq":3}\n'), /line 3: the head \(seq 3\)/],
    ['a complete garbage last line (invalid-json)', (x) => appendFileSync(x.file(), 'garbage\n'), /line 4: line 4 is not valid JSON/],
  ];
  for (const [what, tamper, message] of damage) {
    it(`refuses non-crash damage, ${what}, with audit-corrupt and touches nothing`, async () => {
      await seed(t, 3);
      tamper(t);
      const before = snapshot(t.auditDir);
      const err = await rejectsWith(t.log.repair(ACTOR, 'c'), 'audit-corrupt');
      assert.match(err.message, message);
      assert.equal(err.where.file, 'audit/project/main.ada.jsonl');
      assert.match(err.fix, /git checkout -- audit\/project\/main\.ada\.jsonl/);
      assert.deepEqual(snapshot(t.auditDir), before);
      assert.equal(existsSync(join(t.auditDir, 'quarantine')), false);
    });
  }
});
