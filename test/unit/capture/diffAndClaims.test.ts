import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffFiles, diffHash, parseNumstat, parseRaw } from '../../../src/core/capture/diffFiles';
import { installHook, uninstallHook } from '../../../src/core/capture/hooks';
import { resolveLocal, resolveRange } from '../../../src/core/capture/range';
import { commitsWithClaims, parseClaims, traceIdsIn } from '../../../src/core/capture/trailers';
import { isDfError } from '../../../src/core/errors';
import { GitHistory } from '../../../src/core/repo/gitHistory';
import { EvidenceFileSchema } from '../../../src/core/schema/evidence';
import { tempDir } from '../core/tempRepo';
import { GitFixture } from './gitFixture';

describe('capture: files, hashes, trailers and the hook', () => {
  let t: ReturnType<typeof tempDir>;
  let repo: GitFixture;
  let h: GitHistory;
  beforeEach(() => {
    t = tempDir('df-diff-');
    repo = new GitFixture(t.dir);
    h = new GitHistory(t.dir);
  });
  afterEach(() => t.cleanup());

  it('records renames with their old path, binary files without line counts, and deletions', async () => {
    const body = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    repo.commit('base', { 'src/old.ts': body, 'gone.txt': 'bye\n', 'keep.txt': 'k\n' });
    repo.git('mv', 'src/old.ts', 'src/new.ts');
    repo.git('rm', '-q', 'gone.txt');
    repo.commit('change', { 'img.png': Buffer.from([0, 1, 2, 0, 255]), 'keep.txt': 'k\nk2\n' });
    const { source } = await resolveRange(h, 'HEAD~1..HEAD');
    const files = await diffFiles(h, source);
    for (const f of files) EvidenceFileSchema.parse(f);
    assert.deepEqual(files.map((f) => [f.path, f.status, f.old_path ?? null, f.binary]), [
      ['gone.txt', 'deleted', null, false],
      ['img.png', 'added', null, true],
      ['keep.txt', 'modified', null, false],
      ['src/new.ts', 'renamed', 'src/old.ts', false],
    ]);
    const gone = files[0];
    assert.ok(gone?.blob_before && !gone.blob_after, 'a deletion has a blob before only');
    assert.equal(files[1]?.additions, undefined, 'no line counts for binary files');
    assert.deepEqual([files[2]?.additions, files[2]?.deletions], [1, 0]);
    assert.equal(files[3]?.blob_after, repo.git('rev-parse', 'HEAD:src/new.ts'));
  });

  it('hashes the diff by streaming it: same range, same hash; different content, different hash', async () => {
    repo.commit('a', { 'a.txt': '1\n' });
    repo.commit('b', { 'a.txt': '2\n' });
    const { source } = await resolveRange(h, 'HEAD~1..HEAD');
    const one = await diffHash(h, source);
    const two = await diffHash(h, source);
    assert.deepEqual(one, two);
    const patch = execFileSync('git', ['diff', '--binary', '--full-index', '--relative', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--src-prefix=a/', '--dst-prefix=b/', 'HEAD~1', 'HEAD', '--'], { cwd: t.dir });
    assert.equal(one.bytes, patch.length);
    assert.equal(one.sha256, (await import('node:crypto')).createHash('sha256').update(patch).digest('hex'));
  });

  it('captures the working tree with blob ids git computes, and the index separately', async () => {
    repo.commit('a', { 'a.txt': '1\n', 'b.txt': 'b\n' });
    writeFileSync(join(t.dir, 'a.txt'), '2\n');
    repo.git('add', 'a.txt');
    writeFileSync(join(t.dir, 'b.txt'), 'changed\n');
    const staged = await diffFiles(h, (await resolveLocal(h, 'staged')).source);
    assert.deepEqual(staged.map((f) => f.path), ['a.txt']);
    const working = await diffFiles(h, (await resolveLocal(h, 'working')).source);
    assert.deepEqual(working.map((f) => f.path), ['a.txt', 'b.txt']);
    assert.equal(working[1]?.blob_after, repo.git('hash-object', 'b.txt'));
  });

  it('parses -z raw and numstat output, including names with spaces, tabs and newlines', () => {
    const raw = `:100644 100644 ${'a'.repeat(40)} ${'b'.repeat(40)} R090\0old name\0new\tname\nx\0:000000 100644 ${'0'.repeat(40)} ${'c'.repeat(40)} A\0add.bin\0`;
    assert.deepEqual(parseRaw(raw), [
      { path: 'new\tname\nx', old_path: 'old name', status: 'renamed', before: 'a'.repeat(40), after: 'b'.repeat(40) },
      { path: 'add.bin', status: 'added', after: 'c'.repeat(40) },
    ]);
    const numstat = parseNumstat('3\t1\t\0old name\0new\tname\nx\0-\t-\tadd.bin\0');
    assert.deepEqual(numstat.get('new\tname\nx'), { additions: 3, deletions: 1, binary: false });
    assert.deepEqual(numstat.get('add.bin'), { additions: 0, deletions: 0, binary: true });
  });

  it('lists commits with the changes their Change: trailers claim, oldest first', async () => {
    const base = repo.commit('base');
    repo.commit('First (FR-1, TC-login-2).', { 'a.txt': '1' });
    repo.commit('Second\n\nBody mentions WS-3 and FR-1.\n\nChange: CH-12\nChange: ch-7, junk');
    repo.commit('Third\n\nchange: CH-012');
    const commits = await commitsWithClaims(h, base, 'HEAD');
    assert.deepEqual(commits.map((c) => [c.subject, c.claimed_by]), [
      ['First (FR-1, TC-login-2).', []],
      ['Second', ['CH-007', 'CH-012']],
      ['Third', ['CH-012']],
    ]);
    assert.deepEqual(traceIdsIn(commits.map((c) => c.message).join('\n')), { frs: ['FR-1'], ws: ['WS-3'], tcs: ['TC-login-2'] });
    assert.deepEqual(parseClaims('CH-1000,  12 x CH-'), ['CH-012', 'CH-1000']);
  });

  it('installs a prepare-commit-msg hook that adds the trailer once, chains a foreign hook, and never fails a commit', async () => {
    repo.commit('base', { '.dynaforge/config.yaml': '{}\n', 'changes/CH-003/change.yaml': 'id: CH-003\n' });
    assert.equal((await installHook(t.dir)).action, 'installed');
    assert.equal((await installHook(t.dir)).action, 'unchanged', 'idempotent');
    const hookFile = join(t.dir, '.git/hooks/prepare-commit-msg');
    repo.write('.dynaforge/state/active.json', JSON.stringify({ id: 'CH-003', branch: 'main' }));
    repo.commit('with trailer', { 'x.txt': '1' });
    assert.match(repo.git('log', '-1', '--format=%B'), /^with trailer\n\nChange: CH-003$/);
    repo.git('commit', '-q', '--allow-empty', '-m', 'already\n\nChange: CH-009');
    assert.equal(repo.git('log', '-1', '--format=%(trailers:key=Change,valueonly)'), 'CH-009', 'an existing trailer is kept, not doubled');
    repo.write('.dynaforge/state/active.json', '{broken');
    repo.commit('no active change');
    assert.equal(repo.git('log', '-1', '--format=%B'), 'no active change');
    // A foreign hook is refused, then chained once moved aside.
    await uninstallHook(t.dir);
    writeFileSync(hookFile, '#!/bin/sh\necho "Foreign: yes" >> "$1"\n');
    chmodSync(hookFile, 0o755);
    try {
      await installHook(t.dir);
      assert.fail('must refuse');
    } catch (e) {
      assert.ok(isDfError(e) && e.code === 'conflict' && /prepare-commit-msg\.local/.test(e.fix), String(e));
    }
    assert.match(readFileSync(hookFile, 'utf8'), /Foreign/, 'left untouched');
    await assert.rejects(uninstallHook(t.dir), /not dynaforge's hook/);
    execFileSync('mv', [hookFile, `${hookFile}.local`]);
    repo.write('.dynaforge/state/active.json', JSON.stringify({ id: 'CH-003', branch: 'main' }));
    assert.equal((await installHook(t.dir)).action, 'installed');
    repo.commit('chained');
    assert.equal(repo.git('log', '-1', '--format=%B'), 'chained\nForeign: yes\n\nChange: CH-003', 'the foreign hook ran first');
  });
});
