import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../../src/core/canonical';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { layoutAt } from '../../../src/core/repo/layout';
import type { Approval } from '../../../src/core/schema/change';
import { CHANGELOG_BEGIN, CHANGELOG_END } from '../../../src/core/views/changelog';
import { checkViews, planViews, regenerateViews, viewsRefused } from '../../../src/core/views/views';
import { Workspace } from '../../../src/core/workspace';
import { tempDir } from '../core/tempRepo';

const NOW = '2026-11-21T09:00:00Z';
const clock = fixedClock(NOW);
const actor = { kind: 'human' as const, id: 'Ada <ada@example.com>', role: 'user' };
const FILES = ['PROGRESS.md', 'CHANGELOG.md', 'TRACEABILITY.md'];

/** A project (no git) with an In-Progress change CH-001 (it has tasks), a merged CH-002 and an Approved CH-003. */
async function project(dir: string): Promise<Workspace> {
  initProject(layoutAt(dir), clock);
  const ws = await Workspace.open({ cwd: dir, env: { DYNAFORGE_NOW: NOW }, clock });
  await ws.store.create({ title: 'Login', frs: ['FR-1'] });
  writeFileSync(join(dir, 'changes/CH-001/tasks.md'), '# Tasks\n- [x] T-001 a\n- [ ] T-002 b\n- [-] T-003 c\n');
  const merged = await ws.store.create({ title: 'Lockout', frs: ['FR-2'] });
  const pkg: Approval = { stage: 'package', decision: 'approved', by: 'Ada <ada@example.com>', at: '2026-11-02T10:00:00.000Z', artifacts: ws.store.artifacts(merged.id) };
  await ws.store.update(merged.id, (c) => ({ ...c, status: 'merged', approvals: [pkg] }));
  const approved = await ws.store.create({ title: 'Export' });
  await ws.store.update(approved.id, (c) => ({ ...c, approvals: [{ ...pkg, artifacts: ws.store.artifacts(approved.id) }] }));
  return ws;
}

describe('generated views', function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('df-views-')));
  afterEach(() => cleanup());

  it('writes PROGRESS.md, CHANGELOG.md and TRACEABILITY.md once, then leaves them alone (bytes and mtime)', async () => {
    const ws = await project(dir);
    const first = await regenerateViews(ws, ['progress', 'changelog', 'traceability'], actor, 'cor-1');
    assert.deepEqual(first.problems, []);
    assert.deepEqual(first.views.map((v) => [v.file, v.status]), FILES.map((f) => [f, 'written']));
    for (const v of first.views) assert.equal(v.hash, sha256(readFileSync(join(dir, v.file))), `${v.file} hash`);

    const progress = readFileSync(join(dir, 'PROGRESS.md'), 'utf8');
    assert.match(progress, /^3 changes: 1 In-Progress, 1 Approved, 1 Merged\. Tasks: 1 of 2 done\./m);
    assert.match(progress, /\| CH-001 \| Login \| frame \| medium \| 1\/2 \| — \| — \| — \|/);
    const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /^# Changelog\n/);
    assert.match(changelog, /## Unreleased\n\n- CH-003: Export\n\n## 2026-11-02\n\n- CH-002: Lockout \(requirements: FR-2\)\n/);
    assert.ok(!changelog.includes('2026-11-21'), 'no date of "now"');

    const events = ws.audit.read(ws.audit.streamOf(undefined)).filter((e) => e.type === 'views.written');
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.payload, { written: first.views.map((v) => ({ file: v.file, hash: v.hash })), unchanged: [] });

    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of FILES) utimesSync(join(dir, f), old, old);
    const later = await Workspace.open({ cwd: dir, env: {}, clock: fixedClock('2031-05-05T05:05:05Z') });
    const again = await regenerateViews(later, ['progress', 'changelog', 'traceability'], actor, 'cor-2');
    assert.deepEqual(again.views.map((v) => v.status), ['unchanged', 'unchanged', 'unchanged']);
    for (const f of FILES) assert.equal(statSync(join(dir, f)).mtimeMs, old.getTime(), `${f} not rewritten`);
    assert.equal(readFileSync(join(dir, 'PROGRESS.md'), 'utf8'), progress);
    assert.equal(ws.audit.read(ws.audit.streamOf(undefined)).filter((e) => e.type === 'views.written').length, 1, 'no event when nothing was written');
  });

  it('check says which views are up to date, out of date or missing, and writes nothing', async () => {
    const ws = await project(dir);
    await regenerateViews(ws, ['progress', 'changelog', 'traceability'], actor, 'cor');
    const status = async () => checkViews(await planViews(ws)).map((v) => `${v.file} ${v.status}`);
    assert.deepEqual(await status(), ['PROGRESS.md up-to-date', 'CHANGELOG.md up-to-date', 'TRACEABILITY.md up-to-date']);
    await ws.store.update('CH-001', (c) => ({ ...c, status: 'merged' }));
    unlinkSync(join(dir, 'TRACEABILITY.md'));
    const before = readFileSync(join(dir, 'PROGRESS.md'), 'utf8');
    assert.deepEqual(await status(), ['PROGRESS.md out-of-date', 'CHANGELOG.md out-of-date', 'TRACEABILITY.md missing']);
    assert.equal(readFileSync(join(dir, 'PROGRESS.md'), 'utf8'), before);
    assert.ok(!existsSync(join(dir, 'TRACEABILITY.md')));
    assert.deepEqual(checkViews(await planViews(ws, ['traceability'])).map((v) => v.file), ['TRACEABILITY.md'], 'only the views asked for');
  });

  it('keeps a hand-written CHANGELOG.md outside the markers and writes only the selected views', async () => {
    const ws = await project(dir);
    const mine = '# Changelog\n\nOur own words.\n\n## 0.9.0\n\n- Hand-written entry.\n';
    writeFileSync(join(dir, 'CHANGELOG.md'), mine);
    const r = await regenerateViews(ws, ['changelog'], actor, 'cor');
    assert.deepEqual(r.views.map((v) => [v.file, v.status]), [['CHANGELOG.md', 'written']]);
    const text = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
    const begin = text.indexOf(CHANGELOG_BEGIN);
    const end = text.indexOf(CHANGELOG_END) + CHANGELOG_END.length;
    assert.equal(text.slice(0, begin), '# Changelog\n\nOur own words.\n\n');
    assert.equal(text.slice(end), '\n\n## 0.9.0\n\n- Hand-written entry.\n');
    assert.ok(!existsSync(join(dir, 'PROGRESS.md')) && !existsSync(join(dir, 'TRACEABILITY.md')));
  });

  it('refuses to write any view while a change.yaml does not load', async () => {
    const ws = await project(dir);
    writeFileSync(join(dir, 'changes/CH-002/change.yaml'), 'id: CH-002\ntitle: [broken\n');
    const r = await regenerateViews(ws, ['progress', 'changelog', 'traceability'], actor, 'cor');
    assert.deepEqual(r.views, []);
    assert.equal(r.problems.length, 1);
    for (const f of FILES) assert.ok(!existsSync(join(dir, f)), `${f} not written`);
    const e = viewsRefused(r.problems, false);
    assert.match(e.message, /^views not written: 1 change does not load/);
    assert.match(e.fix, /changes\/CH-002\/change\.yaml .*`dynaforge views`/);
  });
});
