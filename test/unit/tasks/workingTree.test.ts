import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitHistory } from '../../../src/core/repo/gitHistory';
import { diffTrees, hasTree, snapshotWorkingTree } from '../../../src/core/tasks/workingTree';
import { GitFixture } from '../capture/gitFixture';
import { tempDir } from '../core/tempRepo';

describe('tasks: baselines of the working copy and their diffs (real git repositories)', () => {
  let t: ReturnType<typeof tempDir>;
  let repo: GitFixture;
  let h: GitHistory;
  beforeEach(() => {
    t = tempDir('df-tasks-');
    repo = new GitFixture(t.dir);
    h = new GitHistory(t.dir);
  });
  afterEach(() => t.cleanup());

  /** What a person sees of their repository: the index file's bytes and `git status`. */
  const userView = () => ({ index: readFileSync(join(t.dir, '.git', 'index')), status: repo.git('status', '--porcelain=v1', '-uall') });

  it('sees modifications, deletions, renames and untracked new files, without touching the index or the files', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const head = repo.commit('base', { 'src/a.ts': 'a\n', 'src/old.ts': body, 'gone.txt': 'bye\n', 'staged.txt': 's\n' });
    repo.write('already-untracked.txt', 'was here before the start\n');
    repo.write('staged.txt', 's2\n');
    repo.git('add', 'staged.txt');
    const before = userView();
    const start = await snapshotWorkingTree(h);
    assert.equal(start.head, head);
    assert.deepEqual(userView(), before, 'taking a baseline changes neither the index nor the working tree');

    repo.write('src/a.ts', 'a\nb\nc\n');
    rmSync(join(t.dir, 'gone.txt'));
    repo.git('mv', 'src/old.ts', 'src/new.ts');
    repo.write('src/brand-new.ts', 'export const x = 1;\n');
    repo.write('img.bin', Buffer.from([0, 1, 2, 0, 255]));
    const mid = userView();
    const end = await snapshotWorkingTree(h);
    assert.deepEqual(userView(), mid);

    const d = await diffTrees(h, start.tree, end.tree);
    assert.deepEqual(
      d.files.map((f) => [f.path, f.status, f.old_path ?? null, f.binary, f.additions ?? null, f.deletions ?? null]),
      [
        ['gone.txt', 'deleted', null, false, 0, 1],
        ['img.bin', 'added', null, true, null, null],
        ['src/a.ts', 'modified', null, false, 2, 0],
        ['src/brand-new.ts', 'added', null, false, 1, 0],
        ['src/new.ts', 'renamed', 'src/old.ts', false, 0, 0],
      ],
      'the untracked file that existed before the start is not in the diff; staged.txt did not change after it',
    );
    const added = d.files.find((f) => f.path === 'src/brand-new.ts');
    assert.equal(added?.blob_after, repo.git('hash-object', 'src/brand-new.ts'), 'blob ids of working-tree files are the ones git computes');
    assert.equal(d.files[0]?.blob_after, undefined, 'a deletion has no blob after');
    assert.equal(d.files[0]?.blob_before, repo.git('rev-parse', `${head}:gone.txt`));
    assert.match(d.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(await diffTrees(h, start.tree, end.tree), d, 'the same two trees give the same diff and hash');
  });

  it('leaves the tool\'s records and ignored files out, so editing only them changes nothing', async () => {
    repo.commit('base', { 'a.txt': 'a\n', '.gitignore': 'build/\n', 'changes/CH-001/tasks.md': '- [ ] T-001 x\n' });
    const start = await snapshotWorkingTree(h);
    repo.write('changes/CH-001/tasks.md', '- [~] T-001 x\n');
    repo.write('changes/CH-001/evidence.json', '{}\n');
    repo.write('audit/changes/CH-001.jsonl', '{}\n');
    repo.write('.dynaforge/state/tasks/CH-001.json', '{}\n');
    repo.write('artifacts/work/CH-001/run-1/x.json', '{}\n');
    repo.write('PROGRESS.md', '# p\n');
    repo.write('build/out.js', 'generated\n');
    const same = await snapshotWorkingTree(h);
    assert.equal(same.tree, start.tree, 'records, generated views and ignored files are not work');
    assert.deepEqual((await diffTrees(h, start.tree, same.tree)).files, []);
    repo.write('CHANGELOG.md', '# Changelog\n');
    const withLog = await snapshotWorkingTree(h);
    assert.deepEqual((await diffTrees(h, start.tree, withLog.tree)).files.map((f) => f.path), ['CHANGELOG.md'], 'people write CHANGELOG.md: it counts');
  });

  it('counts commits made during the task: the diff is of trees, so committing does not hide the work', async () => {
    repo.commit('base', { 'a.txt': '1\n' });
    const start = await snapshotWorkingTree(h);
    const c1 = repo.commit('work', { 'a.txt': '2\n', 'b.txt': 'b\n' });
    const end = await snapshotWorkingTree(h);
    assert.equal(end.head, c1);
    assert.deepEqual((await diffTrees(h, start.tree, end.tree)).files.map((f) => [f.path, f.status]), [
      ['a.txt', 'modified'],
      ['b.txt', 'added'],
    ]);
  });

  it('works before the first commit and in a project below the top of the git working tree', async () => {
    repo.write('first.txt', 'x\n');
    const start = await snapshotWorkingTree(h);
    assert.equal(start.head, undefined, 'no HEAD yet');
    repo.write('second.txt', 'y\n');
    const end = await snapshotWorkingTree(h);
    assert.deepEqual((await diffTrees(h, start.tree, end.tree)).files.map((f) => f.path), ['second.txt']);

    const sub = join(t.dir, 'project');
    mkdirSync(sub);
    writeFileSync(join(sub, 'in.txt'), '1\n');
    repo.commit('base');
    const hs = new GitHistory(sub);
    const s0 = await snapshotWorkingTree(hs);
    writeFileSync(join(sub, 'in.txt'), '2\n');
    writeFileSync(join(sub, 'new.txt'), 'n\n');
    writeFileSync(join(t.dir, 'outside.txt'), 'not this project\n');
    mkdirSync(join(sub, 'changes'));
    writeFileSync(join(sub, 'changes', 'x.md'), 'record\n');
    const s1 = await snapshotWorkingTree(hs);
    assert.deepEqual((await diffTrees(hs, s0.tree, s1.tree)).files.map((f) => [f.path, f.status]), [
      ['in.txt', 'modified'],
      ['new.txt', 'added'],
    ], 'paths are relative to the project folder; files outside it and its records are not in its diff');
  });

  it('knows whether a baseline tree is still in the repository', async () => {
    repo.commit('base', { 'a.txt': '1\n' });
    const s = await snapshotWorkingTree(h);
    assert.equal(await hasTree(h, s.tree), true);
    assert.equal(await hasTree(h, 'f'.repeat(40)), false);
  });
});
