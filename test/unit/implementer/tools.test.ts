import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Confined } from '../../../src/core/implementer/confine';
import { runTool } from '../../../src/core/implementer/tools/registry';
import type { ToolContext } from '../../../src/core/implementer/tools/tool';
import { removeDir } from './fixture';

describe('implementer: tools', () => {
  let root: string;
  let refused: Extract<Confined, { ok: false }>[];
  let written: string[];
  const ctx = (): ToolContext => ({
    root,
    confine: { root, scope: ['src'], chId: 'CH-001' },
    tests: [{ name: 'unit', command: 'true', cwd: '.', timeout_s: 5 }],
    write: async (rel, data) => {
      written.push(rel);
      writeFileSync(join(root, rel), data);
      return { action: 'modified', before: null, after: 'x'.repeat(64) };
    },
    verify: async () => [],
    refused: async (_tool, r) => {
      refused.push(r);
    },
  });
  const put = (rel: string, data: string | Buffer) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  };
  const use = async (name: string, args: Record<string, unknown>) => JSON.parse((await runTool({ id: 'c1', name, arguments: args as never }, ctx())).content) as Record<string, unknown>;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'df-tools-'));
    refused = [];
    written = [];
    put('src/a.js', 'const Answer = 42;\nexport default Answer;\n');
    put('src/lib/b.js', 'const answer = 41;\n');
    put('docs/notes.md', 'the answer is 42\n');
    put('src/bin.dat', Buffer.from([1, 0, 2]));
    put('node_modules/x/index.js', 'answer\n');
    put('.git/config', 'answer\n');
    put('artifacts/work/CH-001/run-1/files.json', 'answer\n');
  });
  afterEach(() => removeDir(root));

  it('read_file: a line range, binary files refused, folders and missing files explained', async () => {
    assert.deepEqual(await use('read_file', { path: 'src/a.js', start_line: 2, end_line: 2 }), { ok: true, path: 'src/a.js', total_lines: 3, start_line: 2, end_line: 2, content: 'export default Answer;' });
    assert.match(String((await use('read_file', { path: 'src/bin.dat' })).error), /binary/);
    assert.match(String((await use('read_file', { path: 'src' })).error), /is a folder: use list_files/);
    assert.match(String((await use('read_file', { path: 'src/nope.js' })).error), /does not exist: use list_files or search/);
    assert.match(String((await use('read_file', { path: 'src/a.js', start_line: 9 })).error), /has 3 lines; start_line 9 is past its end/);
  });

  it('list_files and search skip git data, dependencies and run folders, and follow no symlinked folder', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'df-tools-out-'));
    try {
      writeFileSync(join(outside, 'leak.js'), 'answer\n');
      symlinkSync(outside, join(root, 'src', 'linked'));
      symlinkSync(join(outside, 'leak.js'), join(root, 'src', 'leak.js'));
      assert.deepEqual((await use('list_files', {})).files, ['docs/notes.md', 'src/a.js', 'src/bin.dat', 'src/lib/b.js'], 'symlinks are not listed');
      assert.match(String((await use('read_file', { path: 'src/leak.js' })).error), /symlink to a place outside the repository/);
      assert.deepEqual((await use('list_files', { path: 'src', glob: 'src/**/*.js' })).files, ['src/a.js', 'src/lib/b.js']);
      assert.deepEqual(await use('search', { query: 'answer', ignore_case: true }), {
        ok: true,
        query: 'answer',
        matches: [
          { path: 'docs/notes.md', line: 1, text: 'the answer is 42' },
          { path: 'src/a.js', line: 1, text: 'const Answer = 42;' },
          { path: 'src/a.js', line: 2, text: 'export default Answer;' },
          { path: 'src/lib/b.js', line: 1, text: 'const answer = 41;' },
        ],
      });
      assert.deepEqual((await use('search', { query: 'answer', path: 'src/lib' })).matches, [{ path: 'src/lib/b.js', line: 1, text: 'const answer = 41;' }]);
      assert.match(String((await use('list_files', { glob: '../**' })).error), /relative to the repository root, without \.\./);
      assert.equal((await use('list_files', { path: '.git' })).ok, false);
    } finally {
      removeDir(outside);
    }
  });

  it('apply_patch applies all edits or none and says which edit failed', async () => {
    const r = await use('apply_patch', { path: 'src/a.js', edits: [{ search: '42', replace: '43' }, { search: 'missing', replace: 'x' }] });
    assert.match(String(r.error), /edit 2: its search text is not in src\/a\.js \(after the earlier edits\).*Nothing was changed/);
    assert.deepEqual(written, []);
    const ok = await use('apply_patch', { path: 'src/a.js', edits: [{ search: '42', replace: '43' }, { search: 'default Answer', replace: 'default Answer + 1' }] });
    assert.equal(ok.ok, true);
    assert.deepEqual(written, ['src/a.js']);
    assert.match(String((await use('apply_patch', { path: 'src/new.js', edits: [{ search: 'a', replace: 'b' }] })).error), /does not exist: create it with write_file/);
  });

  it('write refusals reach the model and the recorder; nothing is written', async () => {
    assert.match(String((await use('write_file', { path: 'docs/notes.md', content: 'x' })).error), /outside the scope of CH-001 \(src\)/);
    assert.match(String((await use('write_file', { path: '/tmp/x', content: 'x' })).error), /absolute/);
    assert.deepEqual(refused.map((r) => r.reason), ['outside-scope', 'absolute']);
    assert.deepEqual(written, []);
  });
});
