import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDfError } from '../../../src/core/errors';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { noGit, openGit } from '../../../src/core/repo/git';
import { layoutAt } from '../../../src/core/repo/layout';
import { ConfigSchema } from '../../../src/core/schema/config';
import { allocateChangeId } from '../../../src/core/store/changeIds';
import { ChangeStore } from '../../../src/core/store/changeStore';
import { startScript, startTogether } from '../audit/auditFixtures';
import { tempDir } from './tempRepo';

const clock = fixedClock('2026-11-21T09:00:00Z');
const config = ConfigSchema.parse({});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('change store', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    initProject(layoutAt(dir), clock);
  });
  afterEach(() => cleanup());

  it('creates change.yaml and brief.md from the template and reads them back', async () => {
    const store = new ChangeStore(layoutAt(dir), clock, noGit, config);
    const c = await store.create({ title: 'Rate-limit login', frs: ['FR-1'], paths: ['src/auth'], risk: 'high' });
    assert.equal(c.id, 'CH-001');
    assert.deepEqual(store.read('CH-001'), c);
    const brief = store.template('brief');
    assert.match(brief, /\{\{title\}\}/);
    assert.ok(Object.keys(store.artifacts('CH-001')).includes('brief.md'));
    assert.equal((await store.create({ title: 'Second' })).id, 'CH-002');
  });

  it('validates before it uses an id: a bad FR id leaves no folder and burns no number', async () => {
    const store = new ChangeStore(layoutAt(dir), clock, noGit, config);
    await assert.rejects(store.create({ title: 'x', frs: ['nope'] }), (e: unknown) => isDfError(e) && e.where.field === 'scope.frs[0]');
    assert.deepEqual(readdirSync(join(dir, 'changes')).filter((n) => n.startsWith('CH-')), []);
    assert.equal((await store.create({ title: 'ok' })).id, 'CH-001');
  });

  it('updates from 4 processes at once all land: change.yaml is read, edited and written under the change\'s lock', async function () {
    this.timeout(60_000);
    const store = new ChangeStore(layoutAt(dir), clock, noGit, config);
    await store.create({ title: 'Shared' });
    const PROCS = 4;
    const EACH = 10;
    const worker = join(__dirname, 'fixtures', 'updateWorker.ts');
    const children = Array.from({ length: PROCS }, (_, p) => startScript(worker, [dir, 'CH-001', String(p), String(EACH)]));
    (await startTogether(children)).forEach((r, p) => assert.deepEqual([r.code, r.stderr], [0, ''], `worker ${p}`));
    // Without the lock, two read-modify-writes overlap and one edit is lost.
    const refs = store.read('CH-001').evidence;
    const want = Array.from({ length: PROCS }, (_, p) => Array.from({ length: EACH }, (__, i) => `evidence.json#E-${p * 1000 + i + 1}`)).flat();
    assert.deepEqual([...refs].sort(), want.sort());
  });

  it('never reuses a number: a deleted change leaves a gap', async () => {
    const store = new ChangeStore(layoutAt(dir), clock, noGit, config);
    await store.create({ title: 'a' });
    await store.create({ title: 'b' });
    execFileSync('rm', ['-rf', join(dir, 'changes/CH-001')]);
    assert.equal((await store.create({ title: 'c' })).id, 'CH-003');
  });

  it('lists invalid changes as problems instead of dropping them', async () => {
    const store = new ChangeStore(layoutAt(dir), clock, noGit, config);
    await store.create({ title: 'a' });
    await store.create({ title: 'b' });
    writeFileSync(join(dir, 'changes/CH-001/change.yaml'), 'id: CH-001\ntitle: [\n');
    const { changes, problems } = store.list();
    assert.deepEqual(changes.map((c) => c.id), ['CH-002']);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.where.file, 'changes/CH-001/change.yaml');
  });

  it('an id inside change.yaml that disagrees with its folder is an error naming both', async () => {
    const store = new ChangeStore(layoutAt(dir), clock, noGit, config);
    await store.create({ title: 'a' });
    const yaml = join(dir, 'changes/CH-001/change.yaml');
    execFileSync('sed', ['-i', 's/^id: CH-001/id: CH-007/', yaml]);
    assert.throws(() => store.read('CH-001'), (e: unknown) => isDfError(e) && e.where.field === 'id' && /CH-007/.test(e.message));
  });

  it('skips ids already used on other local and remote-tracking branches', async () => {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.name', 'T');
    git(dir, 'config', 'user.email', 't@example.com');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'init');
    git(dir, 'checkout', '-qb', 'feature');
    const layout = layoutAt(dir);
    const g = await openGit(dir);
    const store = new ChangeStore(layout, clock, g, config);
    await store.create({ title: 'on feature' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'CH-001');
    git(dir, 'checkout', '-q', 'main');
    assert.equal(existsSync(join(dir, 'changes/CH-001')), false);
    // A remote-tracking ref that holds CH-002.
    const remote = tempDir('df-remote-');
    try {
      git(remote.dir, 'clone', '-q', dir, 'r');
      const r = join(remote.dir, 'r');
      git(r, 'config', 'user.name', 'T');
      git(r, 'config', 'user.email', 't@example.com');
      git(r, 'checkout', '-q', 'feature');
      execFileSync('mkdir', ['-p', join(r, 'changes/CH-002')]);
      writeFileSync(join(r, 'changes/CH-002/change.yaml'), 'x');
      git(r, 'add', '-A');
      git(r, 'commit', '-qm', 'CH-002');
      git(dir, 'remote', 'add', 'origin', r);
      git(dir, 'fetch', '-q', 'origin');
      assert.equal(await allocateChangeId(layout, g, true), 'CH-003');
      assert.equal(await allocateChangeId(layout, g, false), 'CH-004', 'local folders still count when branch checks are off');
    } finally {
      remote.cleanup();
    }
  });
});
