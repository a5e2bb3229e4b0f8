import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { assertOnlyCommandEventAdded, assertUnchanged, cliSuite, snapshot, TempRepo } from './cliHarness';

const CHANGE = 'changes/CH-002/change.yaml';
const CONFIG = '.dynaforge/config.yaml';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** 1-based line of the first line of `text` starting with `prefix`. */
const lineOf = (text: string, prefix: string) => text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;

/** Three changes; the middle one is the one the tests break. */
async function threeChanges(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  for (const t of ['One', 'Two', 'Three']) await repo.ok('new', t);
  return repo;
}

describe('cli: bad files get a clear error naming file, line and field, and lose nothing', () => {
  cliSuite();

  it('malformed YAML in a change.yaml: file:line:col, the fix, exit 1, nothing written', async () => {
    const repo = await threeChanges();
    const text = repo.read(CHANGE);
    writeFileSync(repo.path(CHANGE), `${text}risk_tier: low\n`); // a duplicate key on the last line
    const line = text.split('\n').length;
    const before = snapshot(repo.dir);
    const r = await repo.run(['show', 'CH-002']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(CHANGE)}:${line}:1: malformed YAML: Map keys must be unique\\n`));
    assert.match(r.stderr, new RegExp(`\\n {2}fix: fix ${esc(CHANGE)} by hand \\(it is plain YAML\\), or restore it with \`git checkout -- ${esc(CHANGE)}\`\\n$`));
    assertOnlyCommandEventAdded(repo, before, 1);
  });

  it('malformed YAML in the middle of a change.yaml names that line', async () => {
    const repo = await threeChanges();
    const text = repo.read(CHANGE);
    const line = lineOf(text, '  frs:');
    writeFileSync(repo.path(CHANGE), text.replace('\n  frs:', '\n frs:'));
    const r = await repo.run(['show', 'CH-002']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(CHANGE)}:${line}:1: malformed YAML: `));
  });

  it('a schema violation (risk_tier: extreme) names the field, the line and the allowed values', async () => {
    const repo = await threeChanges();
    const text = repo.read(CHANGE);
    writeFileSync(repo.path(CHANGE), text.replace('risk_tier: medium', 'risk_tier: extreme'));
    const line = lineOf(text, 'risk_tier:');
    const before = snapshot(repo.dir);
    const r = await repo.run(['status', 'CH-002']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(CHANGE)}:${line}:12: field risk_tier: Invalid option: expected one of "low"\\|"medium"\\|"high"\\|"critical"\\n`));
    assert.match(r.stderr, new RegExp(`\\n {2}at ${esc(CHANGE)}:${line}:12 \\(field risk_tier\\)\\n {2}fix: `));
    assertOnlyCommandEventAdded(repo, before, 1);
  });

  it('a schema violation deep in a list names its path (scope.frs[0])', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two', '--fr', 'FR-1');
    const text = repo.read(CHANGE);
    writeFileSync(repo.path(CHANGE), text.replace('- FR-1', '- not-a-requirement'));
    const r = await repo.run(['--json', 'show', 'CH-002']);
    assert.equal(r.code, 1);
    const e = (JSON.parse(r.stdout) as { error: Record<string, unknown> }).error;
    assert.deepEqual(
      { code: e.code, file: e.file, field: e.field, line: e.line, column: e.column },
      { code: 'invalid-schema', file: CHANGE, field: 'scope.frs[0]', line: lineOf(text, '    - FR-1'), column: 7 },
    );
    assert.match(e.message as string, /expected a requirement id like FR-12/);
  });

  it('list shows the changes that load and reports the broken one (exit 1)', async () => {
    const repo = await threeChanges();
    writeFileSync(repo.path(CHANGE), repo.read(CHANGE).replace('risk_tier: medium', 'risk_tier: extreme'));
    const r = await repo.run(['list']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /CH-001 .* One\n/);
    assert.match(r.stdout, /CH-003 .* Three\n?$/);
    assert.doesNotMatch(r.stdout, /CH-002/);
    assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(CHANGE)}:\\d+:12: field risk_tier: `));

    const j = await repo.run(['--json', 'list']);
    assert.equal(j.code, 1);
    const data = JSON.parse(j.stdout) as { changes: { id: string }[]; problems: { file: string; field: string }[] };
    assert.deepEqual(data.changes.map((c) => c.id), ['CH-001', 'CH-003']);
    assert.deepEqual(data.problems.map((p) => [p.file, p.field]), [[CHANGE, 'risk_tier']]);

    const s = await repo.run(['status']);
    assert.equal(s.code, 1);
    assert.match(s.stdout, /^2 changes: 2 Draft\n1 change file\(s\) do not load: run `dynaforge list` to see them/);
  });

  it('a change.yaml whose id disagrees with its folder is reported, not trusted', async () => {
    const repo = await threeChanges();
    writeFileSync(repo.path(CHANGE), repo.read(CHANGE).replace('id: CH-002', 'id: CH-003'));
    const r = await repo.run(['show', 'CH-002']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /changes\/CH-002\/change\.yaml: field id is CH-003 but the folder is CH-002\n {2}at changes\/CH-002\/change\.yaml \(field id\)\n {2}fix: make the id/);
  });

  it('a new change is still created next to a broken one, with the next free id', async () => {
    const repo = await threeChanges();
    writeFileSync(repo.path(CHANGE), 'id: [\n');
    await repo.ok('new', 'Four');
    assert.deepEqual(repo.changeIds(), ['CH-001', 'CH-002', 'CH-003', 'CH-004']);
    assert.equal(repo.read(CHANGE), 'id: [\n', 'the broken file is left for the user to fix');
  });

  describe('a malformed .dynaforge/config.yaml', () => {
    const commands = [['list'], ['status'], ['show', 'CH-001'], ['new', 'Another'], ['use', 'CH-001'], ['concern', 'list'], ['concern', 'raise', '-c', 'CH-001', 'x'], ['audit', 'verify'], ['init']];
    let repo: TempRepo;
    let line: number;

    before(async () => {
      repo = await TempRepo.create();
      await repo.ok('new', 'One');
      const text = repo.read(CONFIG);
      line = lineOf(text, '  check_branches:') + 1; // a duplicate key, right under the first
      writeFileSync(repo.path(CONFIG), text.replace('  check_branches: true', '  check_branches: true\n  check_branches: false'));
    });

    for (const args of commands) {
      it(`makes \`${args.join(' ')}\` fail naming ${CONFIG}:line and the fix, writing nothing`, async () => {
        const before = snapshot(repo.dir);
        const r = await repo.run(args);
        assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(CONFIG)}:${line}:3: malformed YAML: Map keys must be unique\\n`));
        assert.match(r.stderr, /\n {2}fix: edit \.dynaforge\/config\.yaml .*or move it aside and run `dynaforge init` for a fresh one\n$/);
        assertUnchanged(repo, before);
      });
    }

    it('makes doctor FAIL the config check with its line and remedy', async () => {
      const r = await repo.run(['doctor']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`FAIL {2}config: ${esc(CONFIG)}:${line}:3: malformed YAML: .*\\n {6}→ edit \\.dynaforge/config\\.yaml`));
    });
  });

  it('a schema violation in config.yaml names the field and its line', async () => {
    const repo = await TempRepo.create();
    const text = repo.read(CONFIG);
    writeFileSync(repo.path(CONFIG), text.replace('  check_branches: true', '  check_branches: maybe'));
    const before = snapshot(repo.dir);
    const r = await repo.run(['new', 'X']);
    assert.equal(r.code, 1);
    const line = lineOf(text, '  check_branches:');
    assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(CONFIG)}:${line}:19: field ids\\.check_branches: Invalid input: expected boolean, received string\\n {2}at ${esc(CONFIG)}:${line}:19 \\(field ids\\.check_branches\\)\\n`));
    assertUnchanged(repo, before);
    assert.deepEqual(repo.changeIds(), []);
  });

  it('a command outside any project says to run init (exit 1)', async () => {
    const repo = await TempRepo.create({ init: false });
    const r = await repo.run(['list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no Dynaforge project here: .*has \.dynaforge\/config\.yaml\n {2}fix: run `dynaforge init` at the root of your repository/);
  });
});
