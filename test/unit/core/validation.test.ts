import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isDfError } from '../../../src/core/errors';
import { parseChangeId } from '../../../src/core/store/changeIds';
import { normalizeScopePaths } from '../../../src/core/store/scope';
import { normalizeTitle } from '../../../src/core/store/title';
import { changeIdFromBranch } from '../../../src/core/store/activeChange';
import { tempDir } from './tempRepo';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isDfError(e) ? e.code : 'not-a-DfError';
  }
}

describe('change ids', () => {
  it('accepts CH-012, ch-12 and 12, always giving CH-012', () => {
    for (const t of ['CH-012', 'ch-12', '12', ' CH-12 ', 'CH12']) assert.equal(parseChangeId(t), 'CH-012', t);
    assert.equal(parseChangeId('1000'), 'CH-1000');
  });

  it('refuses malformed ids with a usage error', () => {
    for (const t of ['CH-1x', '', 'CH-', 'FR-1', '../CH-001', 'CH-001; rm']) assert.equal(code(() => parseChangeId(t)), 'invalid-id', t);
  });

  it('reads the change from branch names like ch/CH-012-topic', () => {
    assert.equal(changeIdFromBranch('ch/CH-012-rate-limit'), 'CH-012');
    assert.equal(changeIdFromBranch('ch/7'), 'CH-007');
    assert.equal(changeIdFromBranch('feature/CH-012'), undefined);
    assert.equal(changeIdFromBranch(undefined), undefined);
  });
});

describe('titles', () => {
  it('keeps any one-line Unicode and shell metacharacters verbatim (NFC)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), (s) => {
        fc.pre(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(s) && s.trim().length > 0);
        assert.equal(normalizeTitle(s), s.normalize('NFC').trim());
      }),
      { seed: 42, numRuns: 300 },
    );
    assert.equal(normalizeTitle("a; rm -rf / $(x) `y` 'q' \"z\" | & > <"), "a; rm -rf / $(x) `y` 'q' \"z\" | & > <");
  });

  it('refuses newlines, control characters, empty and over-long titles, saying where', () => {
    assert.equal(code(() => normalizeTitle('one\ntwo')), 'invalid-title');
    assert.equal(code(() => normalizeTitle('tab\there')), 'invalid-title');
    assert.equal(code(() => normalizeTitle('   ')), 'invalid-title');
    assert.equal(code(() => normalizeTitle('x'.repeat(201))), 'invalid-title');
    try {
      normalizeTitle('one\ntwo');
    } catch (e) {
      assert.ok(isDfError(e));
      assert.match(e.message, /line break at character 4/);
      assert.equal(e.where.field, 'title');
    }
  });
});

describe('scope paths', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    mkdirSync(join(dir, 'src', 'auth'), { recursive: true });
  });
  afterEach(() => cleanup());

  it('normalises relative paths and globs, dropping duplicates', () => {
    assert.deepEqual(normalizeScopePaths(dir, ['src/auth/', './src/auth', 'src\\auth', 'src/**/*.ts', 'new/dir']), ['src/auth', 'src/**/*.ts', 'new/dir']);
  });

  it('refuses absolute paths and ../ escapes, naming the field', () => {
    for (const p of ['/etc/passwd', '../outside', 'src/../../x', 'C:\\Windows', '..']) {
      try {
        normalizeScopePaths(dir, ['ok', p]);
        assert.fail(`accepted ${p}`);
      } catch (e) {
        assert.ok(isDfError(e), String(e));
        assert.equal(e.code, 'invalid-scope');
        assert.equal(e.where.field, 'scope.paths[1]');
      }
    }
  });

  it('refuses a symlink that points outside the repository, also under a glob or a missing tail', () => {
    const outside = tempDir('df-outside-');
    try {
      symlinkSync(outside.dir, join(dir, 'link'));
      for (const p of ['link', 'link/sub/file.ts', 'link/**/*.ts']) assert.equal(code(() => normalizeScopePaths(dir, [p])), 'invalid-scope', p);
      symlinkSync(join(dir, 'src'), join(dir, 'inside'));
      assert.deepEqual(normalizeScopePaths(dir, ['inside/auth']), ['inside/auth']);
    } finally {
      outside.cleanup();
    }
  });
});
