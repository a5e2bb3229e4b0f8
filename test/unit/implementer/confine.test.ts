import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confine, scopeMatcher, type Confined } from '../../../src/core/implementer/confine';
import { removeDir } from './fixture';

describe('implementer: path confinement', () => {
  let root: string;
  let outside: string;
  const opts = () => ({ root, scope: ['src', 'test/**/*.test.js', 'docs/guide.md', 'changes/CH-001'], chId: 'CH-001' });
  const write = (p: string): Confined => confine(opts(), p, 'write');
  const reason = (c: Confined) => (c.ok ? 'ok' : c.reason);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'df-confine-'));
    outside = mkdtempSync(join(tmpdir(), 'df-outside-'));
    mkdirSync(join(root, 'src', 'lib'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'src', 'a.js'), 'a');
    writeFileSync(join(outside, 'secret.txt'), 'secret');
  });
  afterEach(() => {
    removeDir(root);
    removeDir(outside);
  });

  it('accepts files in scope: a folder, a glob, a file; and normalises ./ and backslashes', () => {
    for (const p of ['src/a.js', 'src/lib/new.js', './src/b.js', 'src\\lib\\c.js', 'test/unit/x.test.js', 'docs/guide.md']) {
      const c = write(p);
      assert.ok(c.ok, `${p} should be writable: ${c.ok ? '' : c.message}`);
    }
    assert.equal((write('./src/b.js') as { rel: string }).rel, 'src/b.js');
    assert.equal((write('src\\lib\\c.js') as { rel: string }).rel, 'src/lib/c.js');
  });

  it('refuses traversal, absolute paths, NUL bytes, the empty path and the root', () => {
    assert.equal(reason(write('../escape.js')), 'traversal');
    assert.equal(reason(write('src/../../escape.js')), 'traversal');
    assert.equal(reason(write('src/../src/a.js')), 'traversal', 'any .. segment, even one that stays inside');
    assert.equal(reason(write('src\\..\\..\\x.js')), 'traversal');
    assert.equal(reason(write('/etc/passwd')), 'absolute');
    assert.equal(reason(write(join(root, 'src', 'a.js'))), 'absolute');
    assert.equal(reason(write('C:\\Windows\\x.js')), 'absolute');
    assert.equal(reason(write('src/a\0.js')), 'nul');
    assert.equal(reason(write('')), 'empty');
    assert.equal(reason(write('.')), 'root');
    const c = write('../escape.js');
    assert.ok(!c.ok && /without \.\./.test(c.message), 'the message says what to do instead');
  });

  it('refuses paths outside the scope with a message the model can act on', () => {
    const c = write('lib/other.js');
    assert.equal(reason(c), 'outside-scope');
    assert.ok(!c.ok && c.message.includes('outside the scope of CH-001') && c.message.includes('src, test/**/*.test.js') && /approval/.test(c.message));
    assert.equal(reason(write('test/helper.js')), 'outside-scope', 'the glob covers *.test.js only');
    assert.equal(reason(write('docs/other.md')), 'outside-scope');
    assert.equal(reason(write('srcx/a.js')), 'outside-scope', 'a folder entry is not a prefix of names');
    const none = confine({ root, scope: [], chId: 'CH-001' }, 'src/a.js', 'write');
    assert.ok(!none.ok && none.reason === 'outside-scope' && /scope\.paths is empty/.test(none.message));
  });

  it('never lets the model write protected paths, whatever the scope says', () => {
    const everything = { root, scope: ['.'], chId: 'CH-001' };
    for (const p of ['.git/config', '.GIT/hooks/pre-commit', 'vendor/lib/.git/config', 'audit/changes/CH-001.jsonl', '.dynaforge/config.yaml', '.dynaforge/state/active.json', 'changes/CH-001/change.yaml', 'changes/CH-002/change.yaml', 'artifacts/work/CH-001/run-1/files.json']) {
      const c = confine(everything, p, 'write');
      assert.equal(reason(c), 'protected', p);
    }
    assert.ok(confine(everything, 'changes/CH-001/notes.md', 'write').ok, 'other files of a change folder are ordinary files');
    assert.equal(reason(write('changes/CH-001/change.yaml')), 'protected', 'protected even when the scope covers the folder');
  });

  it('refuses symlink escapes: a linked folder, a linked file, a dangling link, a link into protected ground', () => {
    symlinkSync(outside, join(root, 'src', 'out'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'src', 'secret.js'));
    symlinkSync(join(outside, 'not-yet.txt'), join(root, 'src', 'dangling.js'));
    symlinkSync(join(root, '.git'), join(root, 'src', 'g'));
    symlinkSync(join(root, 'lib'), join(root, 'src', 'elsewhere'));
    symlinkSync(join(root, 'src', 'loop1'), join(root, 'src', 'loop2'));
    symlinkSync(join(root, 'src', 'loop2'), join(root, 'src', 'loop1'));
    assert.equal(reason(write('src/out/x.js')), 'symlink-escape');
    assert.equal(reason(write('src/secret.js')), 'symlink-escape');
    assert.equal(reason(write('src/dangling.js')), 'symlink-escape', 'a write would create a file outside');
    assert.equal(reason(write('src/g/config')), 'protected');
    assert.equal(reason(write('src/elsewhere/x.js')), 'outside-scope', 'judged by where the link leads too');
    assert.equal(reason(write('src/loop1/x.js')), 'symlink-escape');
    assert.equal(reason(confine(opts(), 'src/out/secret.txt', 'read')), 'symlink-escape', 'reads are confined to the repository too');
  });

  it('reads anywhere in the repository but git data', () => {
    assert.ok(confine(opts(), 'README.md', 'read').ok, 'outside the scope is readable');
    assert.ok(confine(opts(), '.', 'read').ok);
    assert.ok(confine(opts(), 'changes/CH-001/change.yaml', 'read').ok);
    assert.equal(reason(confine(opts(), '.git/config', 'read')), 'protected');
    assert.equal(reason(confine(opts(), '../x', 'read')), 'traversal');
  });

  it('scopeMatcher: files, folders (with or without a trailing slash), globs and "."', () => {
    const m = scopeMatcher(['src/', 'README.md', 'test/**/*.ts']);
    assert.deepEqual(['src/a', 'src/b/c', 'README.md', 'test/x/y.ts', 'test/y.js', 'srcx', 'README.md.bak'].map(m), [true, true, true, true, false, false, false]);
    assert.ok(scopeMatcher(['.'])('anything/at/all'));
    assert.ok(!scopeMatcher([])('a'));
  });
});
