import { strict as assert } from 'node:assert';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArtifact } from '../../../src/core/artifacts/frontMatter';
import { sha256 } from '../../../src/core/canonical';
import { coChanges, expandScope, isTestFile } from '../../../src/core/impact/coChange';
import { openConflicts, suggestRisk, writeImpact } from '../../../src/core/impact/impact';
import { renderImpact } from '../../../src/core/impact/impactMarkdown';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { GitHistory } from '../../../src/core/repo/gitHistory';
import { layoutAt } from '../../../src/core/repo/layout';
import { ChangeSchema } from '../../../src/core/schema/change';
import { Workspace } from '../../../src/core/workspace';
import { tempDir } from '../core/tempRepo';
import { GitFixture } from './gitFixture';

const change = ChangeSchema.parse({ id: 'CH-004', title: 'T', origin: 'code', scope: { paths: ['src/a.ts'], frs: ['FR-1'] }, created: '2026-11-21T09:00:00.000Z', updated: '2026-11-21T09:00:00.000Z' });

describe('impact: co-change, risk and rendering', () => {
  let t: ReturnType<typeof tempDir>;
  let repo: GitFixture;
  beforeEach(() => {
    t = tempDir('df-impact-');
    repo = new GitFixture(t.dir);
  });
  afterEach(() => t.cleanup());

  it('expands files, folders and globs against tracked files and keeps unmatched entries', async () => {
    repo.commit('base', { 'src/a.ts': '1', 'src/b.ts': '1', 'src/sub/c.ts': '1', 'docs/x.md': '1', 'untracked-later.ts': '1' });
    repo.write('src/notTracked.ts', 'x');
    const h = new GitHistory(t.dir);
    const r = await expandScope(t.dir, await h.trackedFiles(), ['src/sub', 'src/*.ts', 'docs/x.md', 'gone.ts']);
    assert.deepEqual(r, { files: ['docs/x.md', 'src/a.ts', 'src/b.ts', 'src/sub/c.ts'], unmatched: ['gone.ts'] });
  });

  it('counts files changed in at least two of the same commits, by count then path, without governance files', async () => {
    repo.commit('1', { 'src/a.ts': '1', 'src/b.ts': '1', 'src/c.ts': '1', 'audit/x.jsonl': '1' });
    repo.commit('2', { 'src/a.ts': '2', 'src/b.ts': '2', 'src/c.ts': '2', 'audit/x.jsonl': '2' });
    repo.commit('3', { 'src/a.ts': '3', 'src/b.ts': '3', 'src/d.ts': '3' });
    repo.commit('4', { 'src/d.ts': '4', 'src/e.ts': '4' });
    const h = new GitHistory(t.dir);
    assert.deepEqual(await coChanges(h, ['src/a.ts']), [
      { path: 'src/b.ts', commits: 3 },
      { path: 'src/c.ts', commits: 2 },
    ]);
    assert.deepEqual(await coChanges(h, ['src/a.ts'], { minCommits: 1, top: 3 }), [
      { path: 'src/b.ts', commits: 3 },
      { path: 'src/c.ts', commits: 2 },
      { path: 'src/d.ts', commits: 1 },
    ]);
    assert.deepEqual(await coChanges(h, ['src/a.ts'], { maxFilesPerCommit: 2 }), [], 'sweeping commits are skipped');
  });

  it('suggests a tier with reasons and names conflicting open changes', () => {
    const conflict = { id: 'CH-002', title: 'Other', files: ['src/a.ts'], frs: ['FR-1'] };
    assert.equal(suggestRisk(change, 1, [], [], ['src/a.test.ts']).suggested, 'low');
    const risky = suggestRisk(change, 25, Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, commits: 2 })), [conflict], []);
    assert.equal(risky.suggested, 'critical');
    assert.deepEqual(risky.reasons, ['25 files in scope (more than 20)', 'overlaps 1 other open change (CH-002)', '5 files historically change with the scope', 'no test file and no TC in scope']);
    assert.ok(isTestFile('test/unit/x.ts') && isTestFile('src/a.spec.tsx') && isTestFile('pkg/x_test.go') && !isTestFile('src/testing.ts'));
    const md = renderImpact('# {{id}} impact: {{title}}\n\n## Affected files\n\n## Mine\nkeep me\n\n## Conflicts with other open changes\n', change, {
      id: 'CH-004', title: 'T', files: ['src/a.ts'], unmatched: [], co_changes: [{ path: 'src/b.ts', commits: 2 }], frs: ['FR-1'], ws: [], tcs: [], tests: [],
      risk: suggestRisk(change, 1, [], [conflict], []), conflicts: [conflict], problems: [],
    });
    assert.match(md, /^# CH-004 impact: T\n\n## Affected files\n\n- `src\/a\.ts`\n/);
    assert.match(md, /## Mine\nkeep me\n/);
    assert.match(md, /- CH-002 \(Other\): files `src\/a\.ts`; requirements FR-1/);
    assert.match(md, /## Requirements and tests touched\n\n- Requirements: FR-1/, 'a section missing from the template is appended');
    assert.match(md, /Suggested: \*\*medium\*\* \(as recorded\)/);
  });

  describe('impact.md and conflicts in a project', () => {
    const actor = { kind: 'human' as const, id: 'Ada <ada@example.invalid>', role: 'user' };
    async function workspace(): Promise<Workspace> {
      repo.commit('base', { 'src/a.ts': '1', 'src/b.ts': '1', 'docs/x.md': '1' });
      initProject(layoutAt(t.dir), fixedClock('2026-11-21T09:00:00Z'));
      return Workspace.open({ cwd: t.dir, env: { DYNAFORGE_NOW: '2026-11-21T09:00:00Z' } });
    }

    it('writes impact.md with front matter hashing brief.md and spec.md, byte-identical (mtime too) on unchanged inputs', async () => {
      const ws = await workspace();
      const c = await ws.store.create({ title: 'Limit', paths: ['src/a.ts'] });
      const file = join(t.dir, 'changes', c.id, 'impact.md');
      const brief = () => sha256(readFileSync(join(t.dir, 'changes', c.id, 'brief.md')));
      const first = await writeImpact(ws, c.id, actor, 'cor');
      assert.equal(first.written, true);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith(`---\ndynaforge:\n  artifact: impact\n  change: ${c.id}\n  derived_from:\n    brief.md: ${brief()}\n---\n# ${c.id} impact: Limit\n`), text);
      assert.equal(first.hash, sha256(text));
      assert.deepEqual(parseArtifact(text, 'impact.md').meta, { artifact: 'impact', change: c.id, derived_from: { 'brief.md': brief() } });

      const old = new Date('2020-01-01T00:00:00Z');
      utimesSync(file, old, old);
      const again = await writeImpact(ws, c.id, actor, 'cor');
      assert.equal(again.written, false);
      assert.equal(again.hash, first.hash);
      assert.equal(statSync(file).mtimeMs, old.getTime(), 'not rewritten');

      writeFileSync(join(t.dir, 'changes', c.id, 'spec.md'), '# Spec\n');
      const withSpec = await writeImpact(ws, c.id, actor, 'cor');
      assert.equal(withSpec.written, true);
      assert.deepEqual(withSpec.derived_from, { 'brief.md': brief(), 'spec.md': sha256('# Spec\n') });
      assert.match(readFileSync(file, 'utf8'), /^---\ndynaforge:\n {2}artifact: impact\n {2}change: CH-001\n {2}derived_from:\n {4}brief\.md: [0-9a-f]{64}\n {4}spec\.md: [0-9a-f]{64}\n---\n/);
      const events = ws.audit.read(`changes/${c.id}`).filter((e) => e.type === 'change.impact_written');
      assert.deepEqual(events.map((e) => e.payload.hash), [first.hash, first.hash, withSpec.hash]);
    });

    it('finds the open changes sharing files or requirements with a change record not yet written', async () => {
      const ws = await workspace();
      await ws.store.create({ title: 'Folder', paths: ['src'] });
      await ws.store.create({ title: 'Same FR', paths: ['docs'], frs: ['FR-1'] });
      const merged = await ws.store.create({ title: 'Merged', paths: ['src/a.ts'] });
      await ws.store.update(merged.id, (c) => ({ ...c, status: 'merged' }));
      const draft = ChangeSchema.parse({ id: 'CH-009', title: 'Draft', origin: 'code', scope: { paths: ['src/a.ts'], frs: ['FR-1'] }, created: '2026-11-21T09:00:00.000Z', updated: '2026-11-21T09:00:00.000Z' });
      const r = await openConflicts(ws, draft);
      assert.deepEqual(r.conflicts, [
        { id: 'CH-001', title: 'Folder', files: ['src/a.ts'], frs: [] },
        { id: 'CH-002', title: 'Same FR', files: [], frs: ['FR-1'] },
      ]);
      assert.deepEqual(r.problems, []);
      assert.deepEqual((await openConflicts(ws, { ...draft, id: 'CH-001' })).conflicts.map((c) => c.id), ['CH-002'], 'never itself');
    });
  });
});
