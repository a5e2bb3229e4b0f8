import { strict as assert } from 'node:assert';
import { DfError, isDfError } from '../../../src/core/errors';
import { resolveLocal, resolveRange, splitRange, validateRev } from '../../../src/core/capture/range';
import { EMPTY_TREE, GitHistory } from '../../../src/core/repo/gitHistory';
import { tempDir } from '../core/tempRepo';
import { GitFixture } from './gitFixture';

async function rejects(p: Promise<unknown> | (() => unknown), code: string, message: RegExp): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(isDfError(e), `expected a DfError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.ok(e.fix.length > 0);
    return;
  }
  assert.fail('expected a rejection');
}

describe('capture: git ranges', () => {
  let t: ReturnType<typeof tempDir>;
  let repo: GitFixture;
  let h: GitHistory;
  beforeEach(() => {
    t = tempDir('df-range-');
    repo = new GitFixture(t.dir);
    h = new GitHistory(t.dir);
  });
  afterEach(() => t.cleanup());

  it('refuses option injection and odd characters before git sees them (usage, exit 2)', async () => {
    for (const bad of ['--upload-pack=touch /tmp/pwned', '-x', '--output=/tmp/x', 'a b', 'HEAD\n--all', 'tab\there', 'nul\u0000x', '', 'x'.repeat(300)]) {
      await rejects(() => validateRev(bad), 'usage', /is not a git revision/);
    }
    for (const bad of ['--upload-pack=x', 'main..--output=x', '-x..HEAD', 'a b..HEAD']) {
      await rejects(() => splitRange(bad), 'usage', /not a git revision/);
      await rejects(resolveRange(h, bad), 'usage', /not a git revision/);
    }
    assert.equal(new DfError('usage', 'x', 'y').exitCode, 2);
  });

  it('splits A..B, A.., ..B and a single revision, and refuses A...B', async () => {
    assert.deepEqual(splitRange('main..feature'), { from: 'main', to: 'feature' });
    assert.deepEqual(splitRange('main..'), { from: 'main', to: 'HEAD' });
    assert.deepEqual(splitRange('..feature'), { from: 'HEAD', to: 'feature' });
    assert.deepEqual(splitRange('v1.0'), { from: 'v1.0', to: 'HEAD' });
    await rejects(() => splitRange('a...b'), 'usage', /symmetric/);
    await rejects(() => splitRange('a..b..c'), 'usage', /more than one/);
  });

  it('resolves a range to full shas with its merge base; names unknown revisions and empty ranges', async () => {
    const a = repo.commit('one', { 'a.txt': '1' });
    const b = repo.commit('two', { 'a.txt': '2' });
    const r = await resolveRange(h, `${a.slice(0, 7)}..HEAD`);
    assert.deepEqual(r.source, { kind: 'range', spec: `${a.slice(0, 7)}..HEAD`, from: a, to: b, base: a });
    assert.deepEqual(r.warnings, []);
    await rejects(resolveRange(h, 'nope..HEAD'), 'git', /unknown revision nope/);
    await rejects(resolveRange(h, 'HEAD..HEAD~1'), 'usage', /holds no commits/);
  });

  it('explains a repository without commits; staged and working use the empty tree there', async () => {
    await rejects(resolveRange(h, 'HEAD~1..HEAD'), 'git', /no commits yet/);
    assert.deepEqual((await resolveLocal(h, 'staged')).source, { kind: 'staged', base: EMPTY_TREE });
  });

  it('warns on a detached HEAD (what is at risk, and git switch -c)', async () => {
    repo.commit('one', { 'a.txt': '1' });
    const two = repo.commit('two', { 'a.txt': '2' });
    repo.git('checkout', '-q', '--detach', 'HEAD');
    const r = await resolveRange(h, 'HEAD~1');
    assert.equal(r.source.kind === 'range' && r.source.to, two);
    assert.match(r.warnings.join('\n'), /HEAD is detached at .*git switch -c/);
    assert.match((await resolveLocal(h, 'working')).warnings.join('\n'), /detached/);
  });

  it('explains a shallow clone: revisions beyond it, and ranges reaching past its boundary', async () => {
    const c1 = repo.commit('c1', { 'a.txt': '1' });
    repo.commit('c2', { 'a.txt': '2' });
    repo.git('checkout', '-q', '-b', 'feature', c1);
    repo.commit('f1', { 'f.txt': 'f' });
    repo.git('checkout', '-q', 'main');
    const clone = tempDir('df-shallow-');
    try {
      repo.git('clone', '-q', '--depth', '1', '--no-single-branch', `file://${t.dir}`, clone.dir);
      const ch = new GitHistory(clone.dir);
      await rejects(resolveRange(ch, 'HEAD~1..HEAD'), 'git', /shallow clone.*not in its history/);
      await rejects(resolveRange(ch, 'origin/main..origin/feature'), 'git', /reaches past the history of this shallow clone/);
      try {
        await resolveRange(ch, 'origin/main..origin/feature');
      } catch (e) {
        assert.ok(isDfError(e) && /git fetch --unshallow/.test(e.fix));
      }
    } finally {
      clone.cleanup();
    }
  });
});
