import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { areaKey, testsForAreas } from '../../../src/core/qa/areas';
import { changedSinceBase, coverageOf } from '../../../src/core/qa/facts';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { layoutAt } from '../../../src/core/repo/layout';
import { ConfigSchema } from '../../../src/core/schema/config';
import { Workspace } from '../../../src/core/workspace';
import { tempDir } from '../core/tempRepo';

const { test_globs: TESTS, untested_globs: UNTESTED } = ConfigSchema.parse({}).qa;

describe('qa: affected areas and changed tests', () => {
  it('keys an area by file stem, index folder, or last literal segment', () => {
    assert.equal(areaKey('src/auth/login.ts'), 'login');
    assert.equal(areaKey('src/auth/Login.service.ts'), 'login');
    assert.equal(areaKey('src/auth/index.ts'), 'auth');
    assert.equal(areaKey('src/auth/'), 'auth');
    assert.equal(areaKey('src/auth/**'), 'auth');
    assert.equal(areaKey('src/**/*.ts'), 'src');
  });

  it('matches changed tests to areas by name or by place', () => {
    const r = testsForAreas(
      ['src/auth/login.ts', 'src/billing/**', 'src/core/tester/', 'src/mail.ts', 'docs/guide.md', 'package.json', 'test/old.test.ts'],
      ['src/auth/login.ts', 'test/unit/auth/login.test.ts', 'src/billing/invoice.spec.ts', 'test/unit/tester/runner.test.ts', 'tests/results/CH-001.json', 'changes/CH-001/QA_REPORT.md', 'README.md'],
      TESTS,
      UNTESTED,
    );
    assert.deepEqual(r.tests, ['src/billing/invoice.spec.ts', 'test/unit/auth/login.test.ts', 'test/unit/tester/runner.test.ts'], 'the Tester’s own results are no test');
    assert.deepEqual(
      r.areas.map((a) => [a.area, a.tests]),
      [
        ['src/auth/login.ts', ['test/unit/auth/login.test.ts']],
        ['src/billing/**', ['src/billing/invoice.spec.ts']],
        ['src/core/tester/', ['test/unit/tester/runner.test.ts']],
        ['src/mail.ts', []],
      ],
      'docs, manifests and tests themselves need no test',
    );
  });

  it('strips test affixes from file names', () => {
    const r = testsForAreas(['pkg/parser.py', 'pkg/lexer.go'], ['tests/test_parser.py', 'pkg/lexer_test.go'], TESTS, UNTESTED);
    assert.deepEqual(r.areas.map((a) => a.tests), [['pkg/lexer_test.go'], ['tests/test_parser.py']]);
  });
});

describe('qa: facts from disk and git', function () {
  this.timeout(30_000);

  it('reads Istanbul coverage only when this run wrote it', () => {
    const { dir, cleanup } = tempDir();
    try {
      const start = Date.now();
      assert.deepEqual(coverageOf(dir, 'coverage/coverage-summary.json', start), {}, 'absent: nothing to check');
      mkdirSync(join(dir, 'coverage'));
      const file = join(dir, 'coverage', 'coverage-summary.json');
      writeFileSync(file, JSON.stringify({ total: { lines: { total: 10, covered: 7, pct: 70 } } }));
      assert.deepEqual(coverageOf(dir, 'coverage/coverage-summary.json', start), { coverage: { file: 'coverage/coverage-summary.json', lines_pct: 70 } });
      const past = new Date(start - 3_600_000);
      utimesSync(file, past, past);
      assert.match(coverageOf(dir, 'coverage/coverage-summary.json', start).coverage?.note ?? '', /stale/);
      writeFileSync(file, '{"total": {"lines": {}}}');
      assert.match(coverageOf(dir, 'coverage/coverage-summary.json', start).coverage?.note ?? '', /no number at total\.lines\.pct/);
      writeFileSync(file, '{oops');
      assert.match(coverageOf(dir, 'coverage/coverage-summary.json', start).coverage?.note ?? '', /not valid JSON/);
      assert.throws(() => coverageOf(dir, '../elsewhere.json', start), /leaves the repository/);
    } finally {
      cleanup();
    }
  });

  it('lists files changed since the merge base with main: committed, staged, unstaged and untracked, not deleted', async () => {
    const { dir, cleanup } = tempDir();
    const g = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
    try {
      g('init', '-q', '-b', 'main');
      g('config', 'user.name', 'Ada');
      g('config', 'user.email', 'ada@example.com');
      g('config', 'commit.gpgsign', 'false');
      initProject(layoutAt(dir), fixedClock('2026-11-21T09:00:00Z'));
      writeFileSync(join(dir, 'a.ts'), 'a');
      writeFileSync(join(dir, 'gone.ts'), 'g');
      g('add', '-A');
      g('commit', '-q', '-m', 'base');
      const ws = await Workspace.open({ cwd: dir, env: {} });
      assert.deepEqual(await changedSinceBase(ws, undefined), [], 'on main with a clean tree: nothing');
      g('checkout', '-q', '-b', 'feature');
      writeFileSync(join(dir, 'b.ts'), 'b');
      g('add', 'b.ts');
      g('commit', '-q', '-m', 'b');
      writeFileSync(join(dir, 'a.ts'), 'a2');
      writeFileSync(join(dir, 'new.test.ts'), 'n');
      rmSync(join(dir, 'gone.ts'));
      assert.deepEqual(await changedSinceBase(ws, undefined), ['a.ts', 'b.ts', 'new.test.ts']);
      assert.deepEqual(await changedSinceBase(ws, 'feature'), ['a.ts', 'new.test.ts'], 'qa.base moves the base');
      await assert.rejects(changedSinceBase(ws, '--output=/tmp/x'), /not a git revision/);
    } finally {
      cleanup();
    }
  });
});
