import { strict as assert } from 'node:assert';
import { coChanges, expandScope, isTestFile } from '../../../src/core/impact/coChange';
import { suggestRisk } from '../../../src/core/impact/impact';
import { renderImpact } from '../../../src/core/impact/impactMarkdown';
import { GitHistory } from '../../../src/core/repo/gitHistory';
import { ChangeSchema } from '../../../src/core/schema/change';
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
});
