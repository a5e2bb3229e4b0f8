import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDfError } from '../../../src/core/errors';
import { ConfigSchema } from '../../../src/core/schema/config';
import { compileSources, extractIds, scanSources, type CompiledSource, type TraceSourceConfig } from '../../../src/core/trace/sources';
import { tempDir } from '../core/tempRepo';

const defaults = ConfigSchema.parse({}).trace.sources;
const [frSource, tcSource] = compileSources(defaults) as [CompiledSource, CompiledSource];

function put(root: string, rel: string, text: string | Buffer): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

describe('trace sources', () => {
  it('reads FR headings with their title and 1-based line, and ignores FR ids outside headings', () => {
    const md = ['# Auth', '', 'Intro mentions FR-9 in prose.', '## FR-1: Users log in ##', 'text', '### FR-1.2 — Lockout after 5 tries', '#### FR-3.'].join('\n');
    const found = extractIds(md, 'docs/requirements/auth.md', frSource);
    assert.deepEqual(
      found.map((o) => [o.id, o.line, o.text]),
      [
        ['FR-1', 4, 'Users log in'],
        ['FR-1.2', 6, 'Lockout after 5 tries'],
        ['FR-3', 7, ''],
      ],
    );
    assert.ok(found.every((o) => o.kind === 'fr' && o.file === 'docs/requirements/auth.md' && o.mentions.length === 0));
  });

  it('reads every TC id on a line, with the FR ids on that line as what it verifies', () => {
    const ts = ["describe('login', () => {", "  it('TC-7 FR-1 FR-1.2 rejects a wrong password', () => {});", '  // TC-8 and TC-9: no requirement named', "  it('TC-10: locks out (FR-3).', () => {});", '});'].join('\r\n');
    const found = extractIds(ts, 'test/login.test.ts', tcSource);
    assert.deepEqual(
      found.map((o) => [o.id, o.line, o.mentions]),
      [
        ['TC-7', 2, ['FR-1', 'FR-1.2']],
        ['TC-8', 3, []],
        ['TC-9', 3, []],
        ['TC-10', 4, ['FR-3']],
      ],
    );
  });

  it('takes the whole match when the pattern has no capture group, and survives patterns that match nothing', () => {
    const [whole, empty] = compileSources([
      { kind: 'ws', globs: ['x'], pattern: 'WS-[a-z]+' },
      { kind: 'tc', globs: ['x'], pattern: '(?:TC-\\d+)?' },
    ]) as [CompiledSource, CompiledSource];
    assert.deepEqual(extractIds('WS-auth: Authentication FR-2', 'plan.md', whole).map((o) => [o.id, o.text, o.mentions]), [['WS-auth', 'Authentication FR-2', ['FR-2']]]);
    assert.deepEqual(extractIds('a TC-4 b', 't', empty).map((o) => o.id), ['TC-4']);
  });

  it('rejects an invalid pattern naming .dynaforge/config.yaml and trace.sources[i].pattern', () => {
    const sources: TraceSourceConfig[] = [...defaults, { kind: 'tc', globs: ['spec/**'], pattern: '(TC-[0-9+' }];
    assert.throws(
      () => compileSources(sources),
      (e: unknown) => {
        assert.ok(isDfError(e));
        assert.equal(e.where.file, '.dynaforge/config.yaml');
        assert.equal(e.where.field, 'trace.sources[2].pattern');
        assert.match(e.message, /\.dynaforge\/config\.yaml: trace\.sources\[2\]\.pattern is not a valid regular expression/);
        assert.match(e.fix, /capture group/);
        return true;
      },
    );
  });

  it('scans the globbed files in path order, skipping node_modules, .git, artifacts/work and binary files', async () => {
    const { dir, cleanup } = tempDir();
    try {
      put(dir, 'docs/requirements/b.md', '# FR-2 Second\n');
      put(dir, 'docs/requirements/sub/a.md', 'x\n## FR-1 First\n');
      put(dir, 'docs/other.md', '# FR-99 not under requirements\n');
      put(dir, 'test/unit/a.test.ts', "it('TC-1 FR-1 works')\n");
      put(dir, 'tests/e2e.py', '\n\ndef test_tc_2():  # TC-2 FR-2\n');
      put(dir, 'test/node_modules/dep/x.js', 'TC-666\n');
      put(dir, 'test/fixture.bin', Buffer.from([0x54, 0x43, 0x2d, 0x35, 0x00, 0x01]));
      put(dir, 'artifacts/work/CH-001/run-1/test/x.ts', 'TC-777\n');
      const found = await scanSources(dir, [...defaults, { kind: 'tc', globs: ['artifacts/**/*'], pattern: '(TC-\\d+)' }]);
      assert.deepEqual(
        found.map((o) => `${o.kind} ${o.id} ${o.file}:${o.line}`),
        ['fr FR-2 docs/requirements/b.md:1', 'fr FR-1 docs/requirements/sub/a.md:2', 'tc TC-1 test/unit/a.test.ts:1', 'tc TC-2 tests/e2e.py:3'],
      );
    } finally {
      cleanup();
    }
  });

  it('finds nothing, without error, when the source folders do not exist', async () => {
    const { dir, cleanup } = tempDir();
    try {
      assert.deepEqual(await scanSources(dir, defaults), []);
    } finally {
      cleanup();
    }
  });
});
