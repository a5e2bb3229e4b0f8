import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../../src/core/retention/format';
import { ago, DAY, HOUR, makeRun } from '../unit/retention/runFixture';
import { cliSuite, diffSnapshots, PROJECT_STREAM, snapshot, TempRepo, type AuditLine } from './cliHarness';

interface PlanItemJson {
  run: string;
  path: string;
  status: string;
  decision: string;
  rule: string;
  reason: string;
  bytes: number;
  retained: boolean;
  concern?: string;
}
interface PlanJson {
  now: string;
  items: PlanItemJson[];
  totals: { runs: number; bytes: number; keep: { runs: number; bytes: number }; delete: { runs: number; bytes: number }; cap_bytes: number; over_cap: boolean };
  warnings: string[];
}
interface DeletedJson {
  run: string;
  path: string;
  status: string;
  reason: string;
  bytes: number;
  seq: number;
  concern?: string;
}
interface ApplyJson {
  dry_run: boolean;
  deleted: DeletedJson[];
  would_delete?: DeletedJson[];
  failed: unknown[];
  plan: PlanJson;
}

/** CH-001 with four runs: an expired success, a fresh one, a young failure, an expired failure; plus an old retained success in CH-002. */
async function repoWithRuns(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  await repo.ok('new', 'Login');
  await repo.ok('new', 'Export');
  makeRun(repo.dir, 'CH-001', 1, { finished: ago(3 * DAY), payload: 2048 });
  makeRun(repo.dir, 'CH-001', 2, { finished: ago(HOUR) });
  makeRun(repo.dir, 'CH-001', 3, { status: 'failed', finished: ago(2 * DAY) });
  makeRun(repo.dir, 'CH-001', 4, { status: 'failed', finished: ago(31 * DAY) });
  makeRun(repo.dir, 'CH-002', 1, { finished: ago(60 * DAY), retain: true });
  return repo;
}

const runsOnDisk = (repo: TempRepo) => [...snapshot(repo.dir, ['artifacts/work']).keys()].map((p) => p.split('/').slice(2, 4).join('/')).filter((v, i, a) => a.indexOf(v) === i);
const retentionEvents = (repo: TempRepo): AuditLine[] => repo.auditEvents().filter((e) => e.type.startsWith('retention.'));

describe('cli: retention', () => {
  cliSuite();

  it('retention plan shows every run with status, age, size, decision and reason, and deletes nothing', async () => {
    const repo = await repoWithRuns();
    const before = snapshot(repo.dir);
    const r = await repo.ok('retention', 'plan');
    assert.deepEqual(diffSnapshots(before, snapshot(repo.dir)).removed, [], 'nothing removed');
    assert.ok(existsSync(repo.path('artifacts/work/CH-001/run-1/run.json')));
    const lines = r.stdout.split('\n');
    assert.match(lines[0] as string, /^RUN +STATUS +AGE +SIZE +DECISION +REASON$/);
    assert.match(lines[1] as string, /^CH-001\/run-1 +succeeded +3d 0h +2\.\d KB +delete +succeeded 3d 0h ago, older than the 48 h TTL$/);
    assert.match(lines[2] as string, /^CH-001\/run-2 +succeeded +1h 0m +\d+ B +keep +succeeded 1h 0m ago, within the 48 h TTL$/);
    assert.match(lines[3] as string, /^CH-001\/run-3 +failed +2d 0h +\d+ B +keep +failed 2d 0h ago, kept for 30 d$/);
    assert.match(lines[4] as string, /^CH-001\/run-4 +failed +31d 0h +\d+ B +delete +failed 31d 0h ago, older than the 30 d TTL$/);
    assert.match(lines[5] as string, /^CH-002\/run-1 +succeeded +60d 0h +\d+ B +keep +\.retain marker: kept whatever its age$/);
    assert.match(r.stdout, /\n\n5 runs, [\d.]+ KB: keep 3 \([\d.]+ (KB|B)\), delete 2 \([\d.]+ KB\); size cap 500 MB\n$/);
    assert.equal(r.stderr, '');

    const json = await repo.json<PlanJson>('retention', 'plan');
    assert.equal(json.now, '2026-11-21T09:00:00.000Z');
    assert.deepEqual(json.items.map((i) => `${i.run} ${i.decision} ${i.rule}`), ['CH-001/run-1 delete success-ttl', 'CH-001/run-2 keep within-success-ttl', 'CH-001/run-3 keep within-failed-ttl', 'CH-001/run-4 delete failed-ttl', 'CH-002/run-1 keep retained']);
    assert.equal(json.totals.delete.bytes, (json.items[0]?.bytes ?? 0) + (json.items[3]?.bytes ?? 0));
    assert.deepEqual(runsOnDisk(repo), ['CH-001/run-1', 'CH-001/run-2', 'CH-001/run-3', 'CH-001/run-4', 'CH-002/run-1']);
    assert.deepEqual(retentionEvents(repo), []);
  });

  it('retention apply really deletes the planned folders, records one retention.deleted event each, and is idempotent', async () => {
    const repo = await repoWithRuns();
    const planned = await repo.json<PlanJson>('retention', 'plan');
    const [run1, run4] = [planned.items[0] as PlanItemJson, planned.items[3] as PlanItemJson];
    assert.ok(run1.bytes > 2048 && run4.bytes > 0);
    const r = await repo.ok('retention', 'apply');
    assert.equal(
      r.stdout,
      [
        `Deleted artifacts/work/CH-001/run-1 (${formatBytes(run1.bytes)}): succeeded 3d 0h ago, older than the 48 h TTL`,
        `Deleted artifacts/work/CH-001/run-4 (${formatBytes(run4.bytes)}): failed 31d 0h ago, older than the 30 d TTL`,
        `Deleted 2 of 5 runs, ${formatBytes(run1.bytes + run4.bytes)} freed; kept 3 (${formatBytes(planned.totals.keep.bytes)}).`,
        '',
      ].join('\n'),
    );
    assert.ok(!existsSync(repo.path('artifacts/work/CH-001/run-1')) && !existsSync(repo.path('artifacts/work/CH-001/run-4')), 'gone from the disk');
    assert.deepEqual(runsOnDisk(repo), ['CH-001/run-2', 'CH-001/run-3', 'CH-002/run-1']);

    const events = retentionEvents(repo);
    assert.deepEqual(
      events.map((e) => [e.file, e.type, e.ch_id, e.payload]),
      [
        ['audit/changes/CH-001.jsonl', 'retention.deleted', 'CH-001', { run: 'artifacts/work/CH-001/run-1', ch_id: 'CH-001', run_id: 'run-CH-001-1', status: 'succeeded', reason: 'success-ttl', detail: 'succeeded 3d 0h ago, older than the 48 h TTL', bytes: run1.bytes }],
        ['audit/changes/CH-001.jsonl', 'retention.deleted', 'CH-001', { run: 'artifacts/work/CH-001/run-4', ch_id: 'CH-001', run_id: 'run-CH-001-4', status: 'failed', reason: 'failed-ttl', detail: 'failed 31d 0h ago, older than the 30 d TTL', bytes: run4.bytes }],
      ],
    );
    const command = repo.auditEvents().filter((e) => e.type === 'command' && e.payload.name === 'retention apply');
    assert.equal(command.length, 1);
    assert.equal(command[0]?.correlation_id, events[0]?.correlation_id, 'the deletions and the command share one correlation id');
    await repo.ok('audit', 'verify');

    const again = await repo.json<ApplyJson>('retention', 'apply');
    assert.deepEqual([again.deleted, again.failed], [[], []]);
    assert.equal(retentionEvents(repo).length, 2, 'nothing more recorded');
  });

  it('--dry-run and `cleanup` (the alias): the first deletes nothing, the second deletes', async () => {
    const repo = await repoWithRuns();
    const before = snapshot(repo.dir);
    const dry = await repo.ok('retention', 'apply', '--dry-run');
    assert.match(dry.stdout, /^Would delete artifacts\/work\/CH-001\/run-1 \([\d.]+ KB\): succeeded 3d 0h ago, older than the 48 h TTL\nWould delete artifacts\/work\/CH-001\/run-4 .*\nDry run, nothing deleted: 2 of 5 runs would go \([\d.]+ KB\)\.\n$/);
    assert.deepEqual(diffSnapshots(before, snapshot(repo.dir)), { added: [], removed: [], changed: [PROJECT_STREAM.replace(/\.jsonl$/, '.head'), PROJECT_STREAM] }, 'only the command event was written');
    const j = await repo.json<ApplyJson>('cleanup', '--dry-run');
    assert.deepEqual([j.dry_run, j.deleted, j.would_delete?.map((d) => d.run)], [true, [], ['CH-001/run-1', 'CH-001/run-4']]);
    assert.deepEqual(runsOnDisk(repo).length, 5);

    const done = await repo.json<ApplyJson>('cleanup');
    assert.deepEqual(done.deleted.map((d) => [d.run, d.reason]), [['CH-001/run-1', 'success-ttl'], ['CH-001/run-4', 'failed-ttl']]);
    assert.deepEqual(runsOnDisk(repo), ['CH-001/run-2', 'CH-001/run-3', 'CH-002/run-1']);
    assert.deepEqual(repo.auditEvents().filter((e) => e.type === 'command').map((e) => e.payload.name).slice(-3), ['retention apply', 'cleanup', 'cleanup']);
  });

  it('retention retain keeps a run past its TTL until --release; both are audit events in the change stream', async () => {
    const repo = await repoWithRuns();
    const r = await repo.ok('retention', 'retain', 'CH-001/run-1');
    assert.equal(r.stdout, 'Retained CH-001/run-1: wrote artifacts/work/CH-001/run-1/.retain; retention keeps it until `dynaforge retention retain CH-001/run-1 --release`\n');
    assert.equal(repo.read('artifacts/work/CH-001/run-1/.retain'), 'retained by Ada Tester <ada@example.invalid> at 2026-11-21T09:00:00.000Z\n');
    assert.equal((await repo.ok('retention', 'retain', 'ch-001/run-1')).stdout, 'CH-001/run-1 was already retained (artifacts/work/CH-001/run-1/.retain)\n');

    const kept = await repo.json<ApplyJson>('retention', 'apply');
    assert.deepEqual(kept.deleted.map((d) => d.run), ['CH-001/run-4']);
    assert.ok(existsSync(repo.path('artifacts/work/CH-001/run-1/run.json')), 'the retained run survived');

    assert.match((await repo.ok('retention', 'retain', 'artifacts/work/CH-001/run-1/', '--release')).stdout, /^Released CH-001\/run-1: removed artifacts\/work\/CH-001\/run-1\/\.retain;/);
    assert.deepEqual((await repo.json<ApplyJson>('retention', 'apply')).deleted.map((d) => d.run), ['CH-001/run-1']);
    assert.ok(!existsSync(repo.path('artifacts/work/CH-001/run-1')));

    const stream = repo.auditEvents().filter((e) => e.file === 'audit/changes/CH-001.jsonl');
    assert.deepEqual(
      stream.filter((e) => e.type.startsWith('retention.') || (e.type === 'command' && String(e.payload.name).startsWith('retention retain'))).map((e) => `${e.type} ${String(e.payload.run ?? e.payload.name)}`),
      [
        'retention.retained artifacts/work/CH-001/run-1',
        'command retention retain',
        'command retention retain',
        'retention.deleted artifacts/work/CH-001/run-4',
        'retention.released artifacts/work/CH-001/run-1',
        'command retention retain',
        'retention.deleted artifacts/work/CH-001/run-1',
      ],
    );
    await repo.ok('audit', 'verify');
  });

  it('a failed run referenced from its concern: the deletion event names the concern', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Login');
    await repo.ok('concern', 'raise', 'Implementer run failed', '-c', 'CH-001', '--evidence', 'artifacts/work/CH-001/run-1', '--source', 'implementer');
    makeRun(repo.dir, 'CH-001', 1, { status: 'failed', finished: ago(40 * DAY), concern: 'CH-001/C-1' });
    const plan = await repo.json<PlanJson>('retention', 'plan');
    assert.equal(plan.items[0]?.concern, 'CH-001/C-1');
    assert.equal(plan.items[0]?.reason, 'failed 40d 0h ago, older than the 30 d TTL (referenced from concern CH-001/C-1)');
    const r = await repo.ok('retention', 'apply');
    assert.match(r.stdout, /^Deleted artifacts\/work\/CH-001\/run-1 \(\d+ B\): failed 40d 0h ago, older than the 30 d TTL \(referenced from concern CH-001\/C-1\)\n/);
    const [event] = retentionEvents(repo);
    assert.deepEqual([event?.payload.concern, event?.payload.status, event?.file], ['CH-001/C-1', 'failed', 'audit/changes/CH-001.jsonl']);
  });

  it('the size cap from config.yaml deletes the oldest successful runs first', async () => {
    const repo = await TempRepo.create();
    writeFileSync(repo.path('.dynaforge/config.yaml'), repo.read('.dynaforge/config.yaml').replace('size_cap_mb: 500', 'size_cap_mb: 0.01')); // 10,485 bytes
    makeRun(repo.dir, 'CH-001', 1, { finished: ago(5 * HOUR), payload: 4000 });
    makeRun(repo.dir, 'CH-001', 2, { finished: ago(4 * HOUR), payload: 4000 });
    makeRun(repo.dir, 'CH-001', 3, { finished: ago(3 * HOUR), payload: 4000 });
    makeRun(repo.dir, 'CH-001', 4, { status: 'failed', finished: ago(6 * HOUR), payload: 4000 });
    const r = await repo.json<ApplyJson>('retention', 'apply');
    assert.deepEqual(r.deleted.map((d) => [d.run, d.reason]), [['CH-001/run-1', 'size-cap'], ['CH-001/run-2', 'size-cap']]);
    assert.deepEqual(runsOnDisk(repo), ['CH-001/run-3', 'CH-001/run-4']);
    assert.ok(r.plan.totals.keep.bytes <= r.plan.totals.cap_bytes);
  });

  it('warns about unusable run.json and stale running runs on stderr, and exits 0', async () => {
    const repo = await TempRepo.create();
    makeRun(repo.dir, 'CH-001', 1, { rawRunJson: 'not json', mtime: ago(DAY) });
    makeRun(repo.dir, 'CH-001', 2, { status: 'running', started: ago(40 * DAY) });
    const r = await repo.ok('retention', 'plan');
    assert.match(r.stdout, /CH-001\/run-1 +invalid .* keep +unreadable run 1d 0h ago, kept for 30 d/);
    assert.match(r.stderr, /^dynaforge: warning: CH-001\/run-1: run\.json is not valid JSON .*treated as a failed run aged from its newest file \(fix run\.json, or remove the folder\)\n/);
    assert.match(r.stderr, /\ndynaforge: warning: CH-001\/run-2: still "running" after 40d 0h, longer than the 30 d failed-run TTL/);
    assert.equal((await repo.json<PlanJson>('retention', 'plan')).warnings.length, 2);
  });

  it('usage errors exit 2, a missing run exits 1 naming it and the fix; neither touches a run', async () => {
    const repo = await repoWithRuns();
    const before = snapshot(repo.dir);
    const bad = await repo.run(['retention', 'retain', 'run-1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"run-1" is not a run\n {2}at field run\n {2}fix: name a run as CH-012\/run-3/);
    const missing = await repo.run(['retention', 'retain', 'CH-001/run-9']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /artifacts\/work\/CH-001\/run-9 does not exist\n {2}fix: list the runs there are with `dynaforge retention plan`/);
    const unknown = await repo.run(['retention', 'apply', '--force']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--force'/);
    assert.deepEqual(diffSnapshots(before, snapshot(repo.dir)).removed, []);
    assert.deepEqual(retentionEvents(repo), []);
    assert.equal(readFileSync(join(repo.dir, 'artifacts/work/CH-001/run-1/run.json'), 'utf8').includes('"CH-001"'), true);
  });

  it('a run that cannot be deleted exits 1 naming the path in the way and the fix; the others are still deleted', async () => {
    const repo = await repoWithRuns();
    writeFileSync(repo.path('artifacts/work/CH-001/.run-4.deleting'), 'in the way');
    const r = await repo.run(['retention', 'apply']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Deleted artifacts\/work\/CH-001\/run-1 /);
    assert.match(r.stderr, /cannot delete artifacts\/work\/CH-001\/run-4: artifacts\/work\/CH-001\/\.run-4\.deleting is in the way .*\n {2}fix: make artifacts\/work\/CH-001\/\.run-4\.deleting writable/);
    assert.match(r.stderr, /warning: artifacts\/work\/CH-001\/\.run-4\.deleting is a file, not a run folder/);
    assert.ok(existsSync(repo.path('artifacts/work/CH-001/run-4/run.json')), 'left whole');
    assert.deepEqual(retentionEvents(repo).map((e) => e.payload.run), ['artifacts/work/CH-001/run-1']);
  });

  it('two processes applying at once delete each run once, with one event each', async () => {
    const repo = await TempRepo.create();
    for (let n = 1; n <= 8; n++) makeRun(repo.dir, 'CH-005', n, { finished: ago(5 * DAY), payload: 10_000 });
    const [a, b] = await Promise.all([repo.run(['--json', 'retention', 'apply']), repo.run(['--json', 'cleanup'])]);
    assert.deepEqual([a.code, b.code], [0, 0], `${a.stderr}${b.stderr}`);
    const deleted = [a, b].flatMap((r) => (JSON.parse(r.stdout) as ApplyJson).deleted.map((d) => d.run)).sort();
    assert.deepEqual(deleted, Array.from({ length: 8 }, (_, i) => `CH-005/run-${i + 1}`).sort());
    assert.deepEqual(runsOnDisk(repo), []);
    assert.equal(retentionEvents(repo).length, 8);
    await repo.ok('audit', 'verify');
  });
});
