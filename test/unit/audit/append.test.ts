import { strict as assert } from 'node:assert';
import { appendFileSync, chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { genesisHash } from '../../../src/core/audit/streams';
import { eventHash } from '../../../src/core/audit/verify';
import { canonicalJson } from '../../../src/core/canonical';
import type { AuditEventInput } from '../../../src/core/schema/audit';
import { ACTOR, CLOCK, PROJECT, command, concern, openLog, rejectsWith, seed, snapshot, tempDirs, type TestLog } from './auditFixtures';

describe('audit log: append', () => {
  const tmp = tempDirs();
  let t: TestLog;
  beforeEach(() => {
    t = openLog(tmp.make());
  });

  it('numbers a new stream 1..n and chains every prev to the hash before it, starting at the genesis hash', async () => {
    const written = await seed(t, 5);
    const onDisk = t.events();
    assert.deepEqual(onDisk, written);
    assert.deepEqual(onDisk.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.equal(onDisk[0]?.prev, genesisHash(PROJECT));
    onDisk.forEach((e, i) => {
      if (i > 0) assert.equal(e.prev, onDisk[i - 1]?.hash, `prev of seq ${e.seq}`);
      assert.equal(e.hash, eventHash(e), `hash of seq ${e.seq}`);
    });
    assert.deepEqual(JSON.parse(readFileSync(t.head(), 'utf8')), { hash: written[4]?.hash, seq: 5 });
    const report = await t.log.verify();
    assert.deepEqual({ ok: report.ok, events: report.events }, { ok: true, events: 5 });
  });

  it('writes each event as one canonical JSON line stamped by the clock, keeping run_id and omitting an absent ch_id', async () => {
    const e = await t.log.append({ ...command(1), run_id: 'run-7' });
    const [line] = t.lines();
    assert.equal(line, canonicalJson(e));
    assert.equal(e.ts, CLOCK.nowIso());
    assert.equal(e.v, 1);
    assert.equal(e.run_id, 'run-7');
    assert.ok(!('ch_id' in JSON.parse(line as string)), 'a project event carries no ch_id key');
  });

  it('sends events with a ch_id to their change stream and the others to the project stream', async () => {
    await t.log.append(command(1));
    const a = await t.log.append(concern('CH-001', 'first'));
    const b = await t.log.append(concern('CH-002', 'other change'));
    const a2 = await t.log.append(concern('CH-001', 'second'));
    await t.log.append(command(2));
    assert.deepEqual(t.events().map((e) => [e.seq, e.type, e.ch_id]), [[1, 'command', undefined], [2, 'command', undefined]]);
    assert.deepEqual(t.events('changes/CH-001'), [a, a2]);
    assert.deepEqual(t.events('changes/CH-002'), [b]);
    assert.ok(existsSync(join(t.auditDir, 'changes', 'CH-001.jsonl')));
    assert.ok(existsSync(join(t.auditDir, 'project', 'main.ada.jsonl')));
    assert.equal(a.prev, genesisHash('changes/CH-001'));
    assert.equal(b.prev, genesisHash('changes/CH-002'));
    assert.deepEqual([a.seq, a2.seq, b.seq], [1, 2, 1]);
    assert.deepEqual(await t.log.streams(), ['changes/CH-001', 'changes/CH-002', PROJECT]);
    assert.equal(t.log.streamOf('CH-009'), 'changes/CH-009');
    assert.equal(t.log.streamOf(undefined), PROJECT);
  });

  it('appendMany keeps the input order in its result and in each stream, continuing existing chains', async () => {
    await seed(t, 2);
    const inputs: AuditEventInput[] = [concern('CH-003', 'a', 'CN-1'), command(3), concern('CH-003', 'b', 'CN-2'), command(4), command(5)];
    const out = await t.log.appendMany(inputs);
    assert.deepEqual(out.map((e) => [e.type, e.ch_id, e.correlation_id]), inputs.map((i) => [i.type, i.ch_id, i.correlation_id]));
    assert.deepEqual(t.events().map((e) => [e.seq, e.correlation_id]), [[1, 'corr-1'], [2, 'corr-2'], [3, 'corr-3'], [4, 'corr-4'], [5, 'corr-5']]);
    assert.deepEqual(t.events('changes/CH-003').map((e) => [e.seq, e.payload.summary]), [[1, 'a'], [2, 'b']]);
    assert.deepEqual(JSON.parse(readFileSync(t.head(), 'utf8')), { hash: out[4]?.hash, seq: 5 });
    assert.equal((await t.log.verify()).ok, true);
  });

  it('continues the chain from the file when the log is opened again', async () => {
    const [, second] = await seed(t, 2);
    const again = openLog(t.root);
    const third = await again.log.append(command(3));
    assert.deepEqual([third.seq, third.prev], [3, second?.hash]);
    assert.equal((await again.log.verify()).ok, true);
  });

  it('read returns a stream\'s events in order, [] for an absent stream, and names a non-JSON line', async () => {
    const written = await seed(t, 3);
    assert.deepEqual(t.log.read(PROJECT), written);
    assert.deepEqual(t.log.read('changes/CH-404'), []);
    const lines = t.lines();
    lines[1] = '{"v":1,';
    t.writeLines(lines);
    const err = await rejectsWith(Promise.resolve().then(() => t.log.read(PROJECT)), 'audit-corrupt');
    assert.deepEqual(err.where, { file: 'audit/project/main.ada.jsonl', line: 2 });
  });
});

describe('audit log: append refuses to build on damage', () => {
  const tmp = tempDirs();
  let t: TestLog;
  beforeEach(async () => {
    t = openLog(tmp.make());
    await seed(t, 3);
  });

  it('refuses a torn tail with audit-torn and writes nothing', async () => {
    appendFileSync(t.file(), '{"v":1,"seq":4,"ts":"2026');
    const before = snapshot(t.auditDir);
    const err = await rejectsWith(t.log.append(command(4)), 'audit-torn');
    assert.match(err.message, /main\.ada\.jsonl ends in a torn line/);
    assert.match(err.fix, /audit repair/);
    assert.deepEqual(snapshot(t.auditDir), before);
  });

  it('builds on a head left behind by a crash mid-batch, and brings it forward', async () => {
    writeFileSync(t.head(), `${canonicalJson({ hash: t.events()[0]?.hash, seq: 1 })}\n`);
    const e = await t.log.append(command(4));
    assert.equal(e.seq, 4);
    assert.equal(e.prev, t.events()[2]?.hash);
    assert.equal((await t.log.verify()).ok, true);
  });

  it('refuses to build on a last event whose content was edited (hash no longer matches)', async () => {
    const lines = readFileSync(t.file(), 'utf8').split('\n');
    lines[2] = (lines[2] as string).replace('"exit_code":0', '"exit_code":1');
    writeFileSync(t.file(), lines.join('\n'));
    const before = snapshot(t.auditDir);
    await rejectsWith(t.log.append(command(4)), 'audit-corrupt');
    assert.deepEqual(snapshot(t.auditDir), before);
  });

  it('refuses a complete last line that is not an event with audit-corrupt and writes nothing', async () => {
    appendFileSync(t.file(), 'not json at all\n');
    const before = snapshot(t.auditDir);
    await rejectsWith(t.log.append(command(4)), 'audit-corrupt');
    assert.deepEqual(snapshot(t.auditDir), before);
  });

  it('refuses when the .head disagrees with the last line, or is unreadable', async () => {
    // seq 1 but the hash of event 2: not a head a crash could leave behind.
    writeFileSync(t.head(), `${canonicalJson({ hash: t.events()[1]?.hash, seq: 1 })}\n`);
    let before = snapshot(t.auditDir);
    await rejectsWith(t.log.append(command(4)), 'audit-corrupt');
    assert.deepEqual(snapshot(t.auditDir), before);
    writeFileSync(t.head(), 'garbage');
    before = snapshot(t.auditDir);
    await rejectsWith(t.log.append(command(4)), 'audit-corrupt');
    assert.deepEqual(snapshot(t.auditDir), before);
  });

  it('refuses when the stream file was deleted but its .head remains, and does not recreate it', async () => {
    rmSync(t.file());
    const err = await rejectsWith(t.log.append(command(4)), 'audit-corrupt');
    assert.match(err.message, /missing but its \.head file exists/);
    assert.equal(existsSync(t.file()), false);
  });
});

describe('audit log: read-only folder and invalid input', () => {
  const tmp = tempDirs();
  let t: TestLog;
  beforeEach(async () => {
    t = openLog(tmp.make());
    await seed(t, 2);
  });

  it('a read-only audit folder gives audit-readonly and nothing is written, even for root', async () => {
    chmodSync(t.auditDir, 0o555);
    const before = snapshot(t.auditDir);
    const err = await rejectsWith(t.log.append(command(3)), 'audit-readonly');
    assert.match(err.message, /the audit log is read-only: audit is not writable/);
    assert.match(err.fix, /chmod -R u\+w audit/);
    await rejectsWith(t.log.append(concern('CH-001', 'new stream')), 'audit-readonly');
    await rejectsWith(t.log.appendMany([command(3), concern('CH-001', 'x')]), 'audit-readonly');
    assert.throws(() => t.log.assertWritable(), (e: Error & { code?: string }) => e.code === 'audit-readonly');
    assert.deepEqual(snapshot(t.auditDir), before);
    assert.equal(existsSync(join(t.auditDir, 'changes')), false);
  });

  it('a read-only stream file gives audit-readonly naming that file', async () => {
    chmodSync(t.file(), 0o444);
    const before = snapshot(t.auditDir);
    const err = await rejectsWith(t.log.append(command(3)), 'audit-readonly');
    assert.equal(err.where.file, 'audit/project/main.ada.jsonl');
    assert.deepEqual(snapshot(t.auditDir), before);
    await t.log.append(concern('CH-001', 'other streams stay writable'));
  });

  it('an invalid payload or unknown type throws before anything is written', async () => {
    const before = snapshot(t.auditDir);
    const bad = { ...concern('CH-001', 'x'), payload: { ...concern('CH-001', 'x').payload, severity: 'urgent' } } as unknown as AuditEventInput;
    await assert.rejects(t.log.append(bad), /refusing to write an invalid concern\.raised event: payload\.severity/);
    const unknownType = { type: 'command.deleted', actor: ACTOR, correlation_id: 'c', payload: {} } as unknown as AuditEventInput;
    await assert.rejects(t.log.append(unknownType), /unknown event type "command\.deleted"/);
    const extra = { ...command(3), payload: { ...command(3).payload, secret: 'x' } } as unknown as AuditEventInput;
    await assert.rejects(t.log.append(extra), /payload/);
    assert.deepEqual(snapshot(t.auditDir), before);
  });

  it('appendMany with one invalid event writes none of the batch, in any stream', async () => {
    const before = snapshot(t.auditDir);
    const bad = { ...concern('CH-001', 'x'), payload: { concern_id: 'CN-1' } } as unknown as AuditEventInput;
    await assert.rejects(t.log.appendMany([command(3), concern('CH-002', 'fine'), bad]), /invalid concern\.raised event/);
    assert.deepEqual(snapshot(t.auditDir), before);
  });
});
