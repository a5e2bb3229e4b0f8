import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeStream } from '../../../src/core/audit/streams';
import { concernsOf } from '../../../src/core/concerns/concerns';
import { DfError } from '../../../src/core/errors';
import { applyRetention } from '../../../src/core/retention/apply';
import { planRetention } from '../../../src/core/retention/plan';
import { setRetained } from '../../../src/core/retention/retain';
import { linkRunConcern, raiseRunConcern } from '../../../src/core/retention/runConcern';
import { assertRunFolder } from '../../../src/core/retention/runFolders';
import { RunSchema } from '../../../src/core/schema/run';
import type { Workspace } from '../../../src/core/workspace';
import { tempDir } from '../core/tempRepo';
import { ACTOR, ago, DAY, HOUR, makeRun, openProject } from './runFixture';

const opts = { actor: ACTOR, correlationId: 'cor-retention' };

/** Every run folder (and leftover) on disk, as `CH-###/name`. */
function onDisk(root: string): string[] {
  const work = join(root, 'artifacts/work');
  if (!existsSync(work)) return [];
  return readdirSync(work)
    .sort()
    .flatMap((ch) => readdirSync(join(work, ch)).sort().map((n) => `${ch}/${n}`));
}

function retentionEvents(ws: Workspace, ch: string) {
  return ws.audit.read(changeStream(ch)).filter((e) => e.type.startsWith('retention.'));
}

describe('retention: apply really deletes', function () {
  this.timeout(30_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('df-retention-apply-')));
  afterEach(() => cleanup());

  it('deletes exactly the folders the plan marks, one retention.deleted event each in the change stream; a second apply does nothing', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-001', 1, { finished: ago(3 * DAY), payload: 1000 });
    makeRun(dir, 'CH-001', 2, { finished: ago(HOUR) });
    makeRun(dir, 'CH-001', 3, { status: 'failed', finished: ago(31 * DAY), concern: 'CH-001/C-1' });
    makeRun(dir, 'CH-002', 1, { status: 'failed', finished: ago(29 * DAY) });
    makeRun(dir, 'CH-002', 2, { finished: ago(90 * DAY), retain: true });
    makeRun(dir, 'CH-002', 3, { status: 'running', started: ago(40 * DAY) });
    makeRun(dir, 'CH-002', 4, { rawRunJson: null, mtime: ago(45 * DAY) });

    const planned = planRetention(ws);
    const toDelete = planned.items.filter((i) => i.decision === 'delete').map((i) => `${i.ch_id}/run-${i.n}`);
    assert.deepEqual(toDelete, ['CH-001/run-1', 'CH-001/run-3', 'CH-002/run-4']);
    const before = onDisk(dir);

    const r = await applyRetention(ws, opts);
    assert.equal(r.dry_run, false);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(r.deleted.map((d) => d.item.run), toDelete);
    assert.deepEqual(onDisk(dir), before.filter((p) => !toDelete.includes(p)), 'exactly the planned folders are gone, nothing else');

    const e1 = retentionEvents(ws, 'CH-001');
    assert.deepEqual(
      e1.map((e) => [e.type, e.ch_id, e.run_id, e.correlation_id, e.actor.id, e.payload]),
      [
        ['retention.deleted', 'CH-001', 'run-CH-001-1', 'cor-retention', ACTOR.id, { run: 'artifacts/work/CH-001/run-1', ch_id: 'CH-001', run_id: 'run-CH-001-1', status: 'succeeded', reason: 'success-ttl', detail: 'succeeded 3d 0h ago, older than the 48 h TTL', bytes: planned.items[0]?.bytes }],
        [
          'retention.deleted',
          'CH-001',
          'run-CH-001-3',
          'cor-retention',
          ACTOR.id,
          { run: 'artifacts/work/CH-001/run-3', ch_id: 'CH-001', run_id: 'run-CH-001-3', status: 'failed', reason: 'failed-ttl', detail: 'failed 31d 0h ago, older than the 30 d TTL (referenced from concern CH-001/C-1)', bytes: planned.items[2]?.bytes, concern: 'CH-001/C-1' },
        ],
      ],
    );
    assert.ok((planned.items[0]?.bytes ?? 0) > 1000);
    const e2 = retentionEvents(ws, 'CH-002');
    assert.deepEqual(e2.map((e) => [e.payload.run, e.payload.status, e.payload.reason, 'run_id' in e.payload]), [['artifacts/work/CH-002/run-4', 'invalid', 'failed-ttl', false]]);
    assert.equal((await ws.audit.verify()).ok, true);

    const again = await applyRetention(ws, opts);
    assert.deepEqual(again.deleted, []);
    assert.equal(retentionEvents(ws, 'CH-001').length + retentionEvents(ws, 'CH-002').length, 3, 'idempotent: no new events');
    assert.deepEqual(
      again.plan.items.map((i) => `${i.run} ${i.rule}`),
      ['CH-001/run-2 within-success-ttl', 'CH-002/run-1 within-failed-ttl', 'CH-002/run-2 retained', 'CH-002/run-3 stale-running'],
    );
  });

  it('a dry run plans under the lock and deletes and records nothing', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-001', 1, { finished: ago(3 * DAY) });
    const r = await applyRetention(ws, { ...opts, dryRun: true });
    assert.equal(r.dry_run, true);
    assert.deepEqual(r.deleted, []);
    assert.deepEqual(r.plan.items.map((i) => i.decision), ['delete']);
    assert.deepEqual(onDisk(dir), ['CH-001/run-1']);
    assert.deepEqual(retentionEvents(ws, 'CH-001'), []);
  });

  it('two applies at once delete each run once and record it once', async () => {
    const ws = await openProject(dir);
    for (let n = 1; n <= 6; n++) makeRun(dir, 'CH-001', n, { finished: ago(3 * DAY), payload: 20_000 });
    const [a, b] = await Promise.all([applyRetention(ws, opts), applyRetention(ws, { ...opts, correlationId: 'cor-other' })]);
    assert.deepEqual([a.deleted.length + b.deleted.length, Math.min(a.deleted.length, b.deleted.length)], [6, 0], 'one did everything, the other found nothing');
    assert.deepEqual([...a.failed, ...b.failed], [], 'the second never raced the first');
    assert.deepEqual(onDisk(dir), []);
    assert.deepEqual(retentionEvents(ws, 'CH-001').map((e) => e.payload.run), [1, 2, 3, 4, 5, 6].map((n) => `artifacts/work/CH-001/run-${n}`));
  });

  it('finishes an interrupted deletion (a .run-N.deleting folder) and records it', async () => {
    const ws = await openProject(dir);
    const run = makeRun(dir, 'CH-003', 2, { finished: ago(HOUR) });
    renameSync(run, join(dir, 'artifacts/work/CH-003/.run-2.deleting'));
    makeRun(dir, 'CH-003', 2, { finished: ago(HOUR) }); // the Implementer has reused the number since
    const r = await applyRetention(ws, opts);
    assert.deepEqual(r.deleted.map((d) => [d.item.path, d.item.rule]), [['artifacts/work/CH-003/.run-2.deleting', 'interrupted']]);
    assert.deepEqual(onDisk(dir), ['CH-003/run-2']);
    assert.deepEqual(retentionEvents(ws, 'CH-003').map((e) => [e.payload.run, e.payload.reason, e.payload.detail]), [['artifacts/work/CH-003/.run-2.deleting', 'interrupted', 'the remains of a deletion that did not finish']]);
  });

  it('a run it cannot move aside is reported, left whole and not recorded; the others are still deleted', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-001', 1, { finished: ago(3 * DAY) });
    makeRun(dir, 'CH-001', 2, { finished: ago(3 * DAY) });
    writeFileSync(join(dir, 'artifacts/work/CH-001/.run-1.deleting'), 'in the way');
    const r = await applyRetention(ws, opts);
    assert.deepEqual(r.deleted.map((d) => d.item.run), ['CH-001/run-2']);
    assert.deepEqual(r.failed.map((f) => [f.item.run, f.error.code, f.error.where.file]), [['CH-001/run-1', 'conflict', 'artifacts/work/CH-001/.run-1.deleting']]);
    assert.match(r.failed[0]?.error.fix ?? '', /retention apply` again/);
    assert.ok(existsSync(join(dir, 'artifacts/work/CH-001/run-1/run.json')), 'left whole');
    assert.deepEqual(retentionEvents(ws, 'CH-001').map((e) => e.payload.run), ['artifacts/work/CH-001/run-2']);
  });

  it('refuses anything that is not a run folder inside artifacts/work/CH-###/, and every path through a link', async () => {
    await openProject(dir);
    const outside = tempDir('df-retention-outside-');
    try {
      const victim = makeRun(outside.dir, 'CH-001', 1);
      makeRun(dir, 'CH-001', 1);
      mkdirSync(join(dir, 'artifacts/work/CH-002'), { recursive: true });
      symlinkSync(victim, join(dir, 'artifacts/work/CH-002/run-1'));
      symlinkSync(join(outside.dir, 'artifacts/work/CH-001'), join(dir, 'artifacts/work/CH-003'));
      const refused = (rel: string, code: string) =>
        assert.throws(() => assertRunFolder(dir, rel), (e: unknown) => e instanceof DfError && e.code === code && /refusing|does not exist/.test(e.message), rel);
      for (const rel of ['artifacts/work/CH-001', 'artifacts/work/CH-001/run-1/..', 'artifacts/work/CH-001/../CH-001/run-1', '../x/artifacts/work/CH-001/run-1', `${outside.dir}/artifacts/work/CH-001/run-1`, 'artifacts/work/CH-001/notes', 'artifacts/work/ch-001/run-1', 'artifacts/work/CH-001/run-1/work', 'changes/CH-001/run-1', '.']) refused(rel, 'io');
      refused('artifacts/work/CH-002/run-1', 'io'); // a link to a run outside
      refused('artifacts/work/CH-003/run-1', 'io'); // a real run reached through a linked change folder
      refused('artifacts/work/CH-009/run-1', 'not-found');
      assert.equal(assertRunFolder(dir, 'artifacts/work/CH-001/run-1'), join(dir, 'artifacts/work/CH-001/run-1'));

      // Even a run that is far past its TTL outside is never reached through the links.
      writeFileSync(join(victim, 'run.json'), readFileSync(join(victim, 'run.json'), 'utf8').replace(/"finished": "[^"]+"/, `"finished": "${ago(400 * DAY)}"`));
      const ws = await openProject(dir, { success_ttl_hours: 0 });
      await applyRetention(ws, opts);
      assert.ok(existsSync(join(victim, 'run.json')), 'the folder outside is untouched');
      assert.ok(existsSync(join(dir, 'artifacts/work/CH-002/run-1')) && existsSync(join(dir, 'artifacts/work/CH-003')), 'the links themselves are left alone');
      assert.ok(!existsSync(join(dir, 'artifacts/work/CH-001/run-1')), 'the real run inside was deleted');
    } finally {
      outside.cleanup();
    }
  });
});

describe('retention: .retain markers', function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('df-retention-retain-')));
  afterEach(() => cleanup());

  it('retain writes the marker (kept by apply), release removes it (deleted by the next apply); each change is one event', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-004', 1, { finished: ago(3 * DAY) });
    const r = await setRetained(ws, 'ch-004/run-1', opts);
    assert.deepEqual(r, { ch_id: 'CH-004', n: 1, ref: 'CH-004/run-1', path: 'artifacts/work/CH-004/run-1', marker: 'artifacts/work/CH-004/run-1/.retain', retained: true, changed: true, run_id: 'run-CH-004-1' });
    assert.equal(readFileSync(join(dir, r.marker), 'utf8'), `retained by ${ACTOR.id} at 2026-11-21T09:00:00.000Z\n`);
    assert.equal((await setRetained(ws, 'CH-004/run-1', opts)).changed, false, 'already retained');

    assert.deepEqual((await applyRetention(ws, opts)).deleted, []);
    assert.ok(existsSync(join(dir, 'artifacts/work/CH-004/run-1')));

    const released = await setRetained(ws, 'CH-004/run-1', { ...opts, release: true });
    assert.deepEqual([released.retained, released.changed], [false, true]);
    assert.ok(!existsSync(join(dir, r.marker)));
    assert.equal((await setRetained(ws, 'CH-004/run-1', { ...opts, release: true })).changed, false, 'nothing to release');

    assert.deepEqual((await applyRetention(ws, opts)).deleted.map((d) => d.item.run), ['CH-004/run-1']);
    assert.deepEqual(
      retentionEvents(ws, 'CH-004').map((e) => [e.type, e.payload.run, e.payload.marker ?? e.payload.reason]),
      [
        ['retention.retained', 'artifacts/work/CH-004/run-1', 'artifacts/work/CH-004/run-1/.retain'],
        ['retention.released', 'artifacts/work/CH-004/run-1', 'artifacts/work/CH-004/run-1/.retain'],
        ['retention.deleted', 'artifacts/work/CH-004/run-1', 'success-ttl'],
      ],
    );
  });

  it('refuses a run that does not exist, and one that is a link', async () => {
    const ws = await openProject(dir);
    await assert.rejects(setRetained(ws, 'CH-004/run-9', opts), (e: unknown) => e instanceof DfError && e.code === 'not-found' && /retention plan/.test(e.fix));
    await assert.rejects(setRetained(ws, 'CH-004', opts), (e: unknown) => e instanceof DfError && e.exitCode === 2);
    const target = makeRun(dir, 'CH-005', 1);
    mkdirSync(join(dir, 'artifacts/work/CH-006'));
    symlinkSync(target, join(dir, 'artifacts/work/CH-006/run-1'));
    await assert.rejects(setRetained(ws, 'CH-006/run-1', opts), (e: unknown) => e instanceof DfError && /symbolic link/.test(e.message));
    assert.ok(!existsSync(join(target, '.retain')));
  });
});

describe('retention: a failed run referenced from its concern', function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('df-retention-concern-')));
  afterEach(() => cleanup());

  it('raises a concern whose evidence is the run folder and writes its id into run.json; once only', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-007', 1, { status: 'failed', finished: ago(HOUR) });
    const before = RunSchema.parse(JSON.parse(readFileSync(join(dir, 'artifacts/work/CH-007/run-1/run.json'), 'utf8')));
    const r = await raiseRunConcern(ws, 'CH-007/run-1', { summary: ' tests still fail after 10 steps ', actor: ACTOR, correlationId: 'cor-impl' });
    assert.equal(r.raised, true);
    assert.equal(r.ref, 'CH-007/C-1');
    assert.deepEqual([r.concern.summary, r.concern.severity, r.concern.source, r.concern.evidence, r.concern.status], ['tests still fail after 10 steps', 'medium', 'implementer', ['artifacts/work/CH-007/run-1'], 'open']);
    const after = RunSchema.parse(JSON.parse(readFileSync(join(dir, 'artifacts/work/CH-007/run-1/run.json'), 'utf8')));
    assert.deepEqual(after, { ...before, concern: 'CH-007/C-1' }, 'only `concern` changed, and run.json still validates');

    const again = await raiseRunConcern(ws, 'CH-007/run-1', { summary: 'again', severity: 'high', actor: ACTOR, correlationId: 'cor-impl' });
    assert.deepEqual([again.raised, again.ref, again.concern.summary], [false, 'CH-007/C-1', 'tests still fail after 10 steps']);
    assert.equal(concernsOf(ws.audit, 'CH-007').length, 1);

    // 31 days later, retention deletes it and says which concern referenced it.
    const later = await openProject(dir, { failed_ttl_days: 0 });
    const d = await applyRetention(later, opts);
    assert.deepEqual(d.deleted.map((x) => [x.item.run, x.item.concern]), [['CH-007/run-1', 'CH-007/C-1']]);
    assert.equal(retentionEvents(later, 'CH-007')[0]?.payload.concern, 'CH-007/C-1');
  });

  it('a run.json naming a concern that does not exist (or is no concern reference at all) gets a new one', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-009', 1, { status: 'aborted', concern: 'CH-009/C-7' });
    makeRun(dir, 'CH-009', 2, { status: 'failed', concern: '../../x/C-1' });
    const a = await raiseRunConcern(ws, 'CH-009/run-1', { summary: 'aborted mid-way', actor: ACTOR, correlationId: 'c' });
    const b = await raiseRunConcern(ws, 'CH-009/run-2', { summary: 'failed', severity: 'high', source: 'ci', actor: ACTOR, correlationId: 'c' });
    assert.deepEqual([a.raised, a.ref, b.raised, b.ref, b.concern.severity, b.concern.source], [true, 'CH-009/C-1', true, 'CH-009/C-2', 'high', 'ci']);
    assert.equal(JSON.parse(readFileSync(join(dir, 'artifacts/work/CH-009/run-2/run.json'), 'utf8')).concern, 'CH-009/C-2');
  });

  it('lists more evidence after the run folder; links a concern raised before (a blocked task\'s) the same way', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-010', 1, { status: 'failed', finished: ago(HOUR) });
    makeRun(dir, 'CH-010', 2, { status: 'failed', finished: ago(HOUR) });
    const r = await raiseRunConcern(ws, 'CH-010/run-1', { summary: 'budget spent', evidence: ['tasks.md#T-001', 'src/a.ts'], ...opts });
    assert.deepEqual(r.concern.evidence, ['artifacts/work/CH-010/run-1', 'tasks.md#T-001', 'src/a.ts']);

    const before = RunSchema.parse(JSON.parse(readFileSync(join(dir, 'artifacts/work/CH-010/run-2/run.json'), 'utf8')));
    const linked = await linkRunConcern(ws, 'artifacts/work/CH-010/run-2', 'CH-010/C-1');
    assert.deepEqual(linked, { ...before, concern: 'CH-010/C-1' });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'artifacts/work/CH-010/run-2/run.json'), 'utf8')), linked, 'written, only `concern` changed');
    assert.equal(concernsOf(ws.audit, 'CH-010').length, 1, 'nothing raised');
    await assert.rejects(linkRunConcern(ws, 'CH-010/run-3', 'CH-010/C-1'), (e: unknown) => e instanceof DfError && e.code === 'not-found');
  });

  it('refuses a run whose run.json cannot be read, and raises nothing', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-008', 1, { rawRunJson: '{}' });
    await assert.rejects(raiseRunConcern(ws, 'CH-008/run-1', { summary: 'x', actor: ACTOR, correlationId: 'c' }), (e: unknown) => e instanceof DfError && e.where.file === 'artifacts/work/CH-008/run-1/run.json' && /concern raise --evidence artifacts\/work\/CH-008\/run-1/.test(e.fix));
    assert.deepEqual(concernsOf(ws.audit, 'CH-008'), []);
  });
});
