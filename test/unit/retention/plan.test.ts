import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DfError } from '../../../src/core/errors';
import { formatAge, formatBytes } from '../../../src/core/retention/format';
import { decideRetention, planRetention, type RetentionItem } from '../../../src/core/retention/plan';
import { parseRunRef } from '../../../src/core/retention/runFolders';
import { tempDir } from '../core/tempRepo';
import { ago, DAY, DEFAULT_POLICY, folder, HOUR, KB, makeRun, NOW, NOW_MS, openProject } from './runFixture';

const decide = (...folders: Parameters<typeof decideRetention>[0]) => decideRetention(folders, DEFAULT_POLICY, NOW_MS);
const brief = (items: readonly RetentionItem[]) => items.map((i) => `${i.run} ${i.status} ${i.decision} ${i.rule}`);

describe('retention: the planning rules (fixed clock)', () => {
  it('deletes a successful run only when it finished more than success_ttl_hours ago', () => {
    const plan = decide(
      folder('CH-001', 1, { since: ago(48 * HOUR) }),
      folder('CH-001', 2, { since: ago(48 * HOUR + 1) }),
      folder('CH-001', 3, { since: ago(HOUR), started: ago(90 * DAY) }),
      folder('CH-001', 4, { since: NOW }),
    );
    assert.deepEqual(brief(plan.items), [
      'CH-001/run-1 succeeded keep within-success-ttl',
      'CH-001/run-2 succeeded delete success-ttl',
      'CH-001/run-3 succeeded keep within-success-ttl', // the age counts from `finished`, not `started`
      'CH-001/run-4 succeeded keep within-success-ttl',
    ]);
    assert.equal(plan.items[0]?.reason, 'succeeded 2d 0h ago, within the 48 h TTL');
    assert.equal(plan.items[1]?.reason, 'succeeded 2d 0h ago, older than the 48 h TTL');
    assert.equal(plan.items[1]?.age_ms, 48 * HOUR + 1);
    assert.equal(plan.items[2]?.since, ago(HOUR));
    assert.deepEqual(plan.warnings, []);
  });

  it('keeps failed and aborted runs for failed_ttl_days, then deletes them, naming the concern that references them', () => {
    const plan = decide(
      folder('CH-002', 1, { status: 'failed', since: ago(30 * DAY) }),
      folder('CH-002', 2, { status: 'failed', since: ago(30 * DAY + 1), concern: 'CH-002/C-4' }),
      folder('CH-002', 3, { status: 'aborted', since: ago(30 * DAY + 1) }),
      folder('CH-002', 4, { status: 'aborted', since: ago(29 * DAY), concern: 'CH-002/C-5' }),
    );
    assert.deepEqual(brief(plan.items), ['CH-002/run-1 failed keep within-failed-ttl', 'CH-002/run-2 failed delete failed-ttl', 'CH-002/run-3 aborted delete failed-ttl', 'CH-002/run-4 aborted keep within-failed-ttl']);
    assert.equal(plan.items[1]?.reason, 'failed 30d 0h ago, older than the 30 d TTL (referenced from concern CH-002/C-4)');
    assert.equal(plan.items[1]?.concern, 'CH-002/C-4');
    assert.equal(plan.items[3]?.reason, 'aborted 29d 0h ago, kept for 30 d (referenced from concern CH-002/C-5)');
  });

  it('keeps a run with a .retain marker whatever its status and age', () => {
    const plan = decide(folder('CH-003', 1, { since: ago(400 * DAY), retained: true }), folder('CH-003', 2, { status: 'failed', since: ago(400 * DAY), retained: true }), folder('CH-003', 3, { problem: 'run.json is missing', since: ago(400 * DAY), retained: true }));
    assert.deepEqual(brief(plan.items), ['CH-003/run-1 succeeded keep retained', 'CH-003/run-2 failed keep retained', 'CH-003/run-3 invalid keep retained']);
    assert.equal(plan.items[0]?.reason, '.retain marker: kept whatever its age');
  });

  it('keeps running runs; one running for longer than the failed TTL is reported as stale', () => {
    const plan = decide(folder('CH-004', 1, { status: 'running', since: ago(30 * DAY) }), folder('CH-004', 2, { status: 'running', since: ago(31 * DAY) }));
    assert.deepEqual(brief(plan.items), ['CH-004/run-1 running keep running', 'CH-004/run-2 running keep stale-running']);
    assert.deepEqual(plan.items[0]?.warnings, []);
    assert.deepEqual(plan.warnings, ['CH-004/run-2: still "running" after 31d 0h, longer than the 30 d failed-run TTL: if no Implementer is working on it, abort it or remove the folder']);
  });

  it('treats a run whose run.json is unusable as failed, aged from its newest file, and warns', () => {
    const plan = decide(folder('CH-005', 1, { problem: 'run.json is missing', since: ago(31 * DAY) }), folder('CH-005', 2, { problem: 'run.json is not valid JSON (x)', since: ago(2 * DAY) }));
    assert.deepEqual(brief(plan.items), ['CH-005/run-1 invalid delete failed-ttl', 'CH-005/run-2 invalid keep within-failed-ttl']);
    assert.equal(plan.items[0]?.reason, 'unreadable run 31d 0h ago, older than the 30 d TTL');
    assert.equal(plan.items[0]?.since, ago(31 * DAY));
    assert.equal(plan.items[0]?.run_id, undefined);
    assert.deepEqual(plan.warnings, [
      'CH-005/run-1: run.json is missing; treated as a failed run aged from its newest file (fix run.json, or remove the folder)',
      'CH-005/run-2: run.json is not valid JSON (x); treated as a failed run aged from its newest file (fix run.json, or remove the folder)',
    ]);
  });

  it('plans the remains of an unfinished deletion for deletion', () => {
    const plan = decide(folder('CH-006', 2, { kind: 'leftover', retained: true }));
    assert.deepEqual(brief(plan.items), ['CH-006/run-2 succeeded delete interrupted']);
    assert.equal(plan.items[0]?.path, 'artifacts/work/CH-006/.run-2.deleting');
  });

  it('over the size cap, deletes the oldest successful runs first, just until the kept runs fit; never failed, running or retained ones', () => {
    const policy = { ...DEFAULT_POLICY, size_cap_mb: 1 }; // 1024 KB
    const plan = decideRetention(
      [
        folder('CH-001', 1, { status: 'failed', since: ago(20 * DAY), bytes: 300 * KB }),
        folder('CH-001', 2, { since: ago(3 * HOUR), bytes: 200 * KB }),
        folder('CH-001', 3, { since: ago(HOUR), bytes: 300 * KB }),
        folder('CH-002', 1, { since: ago(5 * HOUR), bytes: 400 * KB }), // the oldest success, though later in scan order
        folder('CH-002', 2, { since: ago(40 * DAY), bytes: 200 * KB, retained: true }),
        folder('CH-002', 3, { status: 'running', since: ago(DAY), bytes: 100 * KB }),
      ],
      policy,
      NOW_MS,
    );
    assert.deepEqual(brief(plan.items), [
      'CH-001/run-1 failed keep within-failed-ttl',
      'CH-001/run-2 succeeded delete size-cap',
      'CH-001/run-3 succeeded keep within-success-ttl',
      'CH-002/run-1 succeeded delete size-cap',
      'CH-002/run-2 succeeded keep retained',
      'CH-002/run-3 running keep running',
    ]);
    assert.equal(plan.items[3]?.reason, 'succeeded 5h 0m ago; the runs kept came to 1.5 MB, over the 1 MB cap (oldest successful runs go first)');
    assert.equal(plan.items[1]?.reason, 'succeeded 3h 0m ago; the runs kept came to 1.1 MB, over the 1 MB cap (oldest successful runs go first)');
    assert.deepEqual(plan.totals, { runs: 6, bytes: 1500 * KB, keep: { runs: 4, bytes: 900 * KB }, delete: { runs: 2, bytes: 600 * KB }, cap_bytes: 1024 * KB, over_cap: false });
  });

  it('breaks size-cap ties by change and run number, and warns when only untouchable runs exceed the cap', () => {
    const policy = { ...DEFAULT_POLICY, size_cap_mb: 0.5 }; // 512 KB
    const same = ago(2 * HOUR);
    const plan = decideRetention(
      [folder('CH-001', 1, { status: 'failed', bytes: 600 * KB }), folder('CH-001', 2, { since: same, bytes: 10 * KB }), folder('CH-003', 1, { since: same, bytes: 10 * KB }), folder('CH-003', 2, { since: ago(HOUR), bytes: 10 * KB, retained: true })],
      policy,
      NOW_MS,
    );
    assert.deepEqual(brief(plan.items), ['CH-001/run-1 failed keep within-failed-ttl', 'CH-001/run-2 succeeded delete size-cap', 'CH-003/run-1 succeeded delete size-cap', 'CH-003/run-2 succeeded keep retained']);
    assert.equal(plan.totals.over_cap, true);
    assert.deepEqual(plan.warnings, ['the runs kept come to 610.0 KB, still over the 0.5 MB cap: only failed, running or retained runs are left; release or remove some, or raise retention.size_cap_mb']);
  });

  it('a TTL of 0 deletes every finished successful run at once; the same input always gives the same plan', () => {
    const folders = [folder('CH-001', 1, { since: ago(1) }), folder('CH-001', 2, { since: NOW })];
    const plan = decideRetention(folders, { ...DEFAULT_POLICY, success_ttl_hours: 0 }, NOW_MS);
    assert.deepEqual(brief(plan.items), ['CH-001/run-1 succeeded delete success-ttl', 'CH-001/run-2 succeeded keep within-success-ttl']);
    assert.deepEqual(decideRetention(folders, { ...DEFAULT_POLICY, success_ttl_hours: 0 }, NOW_MS), plan);
  });

  it('formats ages and sizes without locale', () => {
    assert.deepEqual([0, 59_999, 60_000, 59 * 60_000, HOUR, 25 * HOUR + 61_000, 47 * DAY + 5 * HOUR].map(formatAge), ['0m', '0m', '1m', '59m', '1h 0m', '1d 1h', '47d 5h']);
    assert.deepEqual([0, 1023, 1024, 1536, 500 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.0 KB', '1.5 KB', '500.0 MB', '3.0 GB']);
  });

  it('reads run references in the forms people type, and refuses others', () => {
    assert.deepEqual(parseRunRef('ch-012/run-3/'), { ch_id: 'CH-012', n: 3, ref: 'CH-012/run-3', path: 'artifacts/work/CH-012/run-3' });
    assert.equal(parseRunRef('artifacts/work/CH-1000/run-12').ref, 'CH-1000/run-12');
    for (const bad of ['CH-012', 'CH-12/run-1', 'CH-012/run-0', 'CH-012/run-1/..', '../CH-012/run-1', 'CH-012/.run-1.deleting', '/abs/CH-012/run-1']) {
      assert.throws(() => parseRunRef(bad), (e: unknown) => e instanceof DfError && e.code === 'usage' && e.exitCode === 2, bad);
    }
  });
});

describe('retention: planning from the disk', function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('df-retention-plan-')));
  afterEach(() => cleanup());

  it('lists every run in change then run number order with status, age, recursive size and the .retain marker; links are not followed', async () => {
    const ws = await openProject(dir);
    const outside = tempDir('df-retention-outside-');
    try {
      writeFileSync(join(outside.dir, 'big.bin'), Buffer.alloc(64 * KB));
      makeRun(dir, 'CH-1000', 1, { finished: ago(3 * DAY) });
      makeRun(dir, 'CH-999', 10, { payload: 5000 });
      const nine = makeRun(dir, 'CH-999', 9, { status: 'failed', finished: ago(DAY), retain: true });
      symlinkSync(join(outside.dir, 'big.bin'), join(nine, 'work', 'link.bin'));
      mkdirSync(join(dir, 'artifacts/work/CH-999/notes'), { recursive: true });
      mkdirSync(join(dir, 'artifacts/work/scratch'), { recursive: true });

      const plan = planRetention(ws);
      assert.equal(plan.now, NOW);
      assert.deepEqual(brief(plan.items), ['CH-999/run-9 failed keep retained', 'CH-999/run-10 succeeded keep within-success-ttl', 'CH-1000/run-1 succeeded delete success-ttl']);
      const [r9, r10] = plan.items;
      const runJson = (p: string) => Buffer.byteLength(readFileSync(join(dir, p, 'run.json')));
      const transcript = '# transcript\n'.length;
      assert.equal(r10?.bytes, runJson('artifacts/work/CH-999/run-10') + transcript + 5000, 'recursive: the nested payload counts');
      const linkSize = Buffer.byteLength(join(outside.dir, 'big.bin'));
      assert.equal(r9?.bytes, runJson('artifacts/work/CH-999/run-9') + transcript + linkSize, 'a link counts as itself, not as the 64 KB it points to');
      assert.equal(r9?.retained, true);
      assert.equal(r9?.run_id, 'run-CH-999-9');
      assert.equal(r10?.age_ms, 2 * HOUR);
      assert.deepEqual(plan.warnings, []);
    } finally {
      outside.cleanup();
    }
  });

  it('reports run folders whose run.json is missing, broken, invalid or about another run, aged by their newest file', async () => {
    const ws = await openProject(dir);
    makeRun(dir, 'CH-001', 1, { rawRunJson: null, mtime: ago(31 * DAY) });
    makeRun(dir, 'CH-001', 2, { rawRunJson: '{"version": 1,', mtime: ago(DAY) });
    makeRun(dir, 'CH-001', 3, { rawRunJson: '{"version": 2}', mtime: ago(DAY) });
    const other = makeRun(dir, 'CH-002', 1, { mtime: ago(DAY) });
    makeRun(dir, 'CH-001', 4, { rawRunJson: readFileSync(join(other, 'run.json'), 'utf8'), mtime: ago(DAY) });
    const plan = planRetention(ws);
    assert.deepEqual(brief(plan.items), ['CH-001/run-1 invalid delete failed-ttl', 'CH-001/run-2 invalid keep within-failed-ttl', 'CH-001/run-3 invalid keep within-failed-ttl', 'CH-001/run-4 invalid keep within-failed-ttl', 'CH-002/run-1 succeeded keep within-success-ttl']);
    assert.equal(plan.items[0]?.since, ago(31 * DAY));
    assert.match(plan.warnings[0] as string, /^CH-001\/run-1: run\.json is missing; treated as a failed run/);
    assert.match(plan.warnings[1] as string, /^CH-001\/run-2: run\.json is not valid JSON/);
    assert.match(plan.warnings[2] as string, /^CH-001\/run-3: run\.json is invalid: version: [^;]+; run_id: [^;]+; ch_id: [^;]+ \(and 7 more\); treated as a failed run/);
    assert.match(plan.warnings[3] as string, /^CH-001\/run-4: run\.json describes CH-002\/run-1, not the folder it is in/);
  });

  it('reports links and files where change or run folders should be, and never enters them', async () => {
    const ws = await openProject(dir);
    const outside = tempDir('df-retention-outside-');
    try {
      makeRun(outside.dir, 'CH-007', 1, { finished: ago(90 * DAY) });
      mkdirSync(join(dir, 'artifacts/work/CH-001'), { recursive: true });
      symlinkSync(join(outside.dir, 'artifacts/work/CH-007'), join(dir, 'artifacts/work/CH-007'));
      symlinkSync(join(outside.dir, 'artifacts/work/CH-007/run-1'), join(dir, 'artifacts/work/CH-001/run-5'));
      writeFileSync(join(dir, 'artifacts/work/CH-001/run-6'), 'not a folder');
      const plan = planRetention(ws);
      assert.deepEqual(plan.items, []);
      assert.deepEqual(plan.warnings, [
        'artifacts/work/CH-001/run-5 is a symbolic link, not a run folder: retention leaves it alone',
        'artifacts/work/CH-001/run-6 is a file, not a run folder: retention leaves it alone',
        'artifacts/work/CH-007 is a symbolic link, not a folder: retention leaves it alone',
      ]);
    } finally {
      outside.cleanup();
    }
  });

  it('refuses to plan through artifacts/work when it is a link, naming it and the fix', async () => {
    const ws = await openProject(dir);
    const outside = tempDir('df-retention-outside-');
    try {
      makeRun(outside.dir, 'CH-001', 1);
      mkdirSync(join(dir, 'artifacts'));
      symlinkSync(join(outside.dir, 'artifacts/work'), join(dir, 'artifacts/work'));
      assert.throws(() => planRetention(ws), (e: unknown) => e instanceof DfError && e.where.file === 'artifacts/work' && /is a symbolic link/.test(e.message) && /never follows links/.test(e.fix));
    } finally {
      outside.cleanup();
    }
  });

  it('an empty or missing artifacts/work is an empty plan', async () => {
    const ws = await openProject(dir, { size_cap_mb: 2 });
    const plan = planRetention(ws);
    assert.deepEqual(plan.items, []);
    assert.deepEqual(plan.policy, { success_ttl_hours: 48, failed_ttl_days: 30, size_cap_mb: 2 });
    assert.deepEqual(plan.totals, { runs: 0, bytes: 0, keep: { runs: 0, bytes: 0 }, delete: { runs: 0, bytes: 0 }, cap_bytes: 2 * 1024 * 1024, over_cap: false });
  });
});
