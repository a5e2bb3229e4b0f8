import { strict as assert } from 'node:assert';
import { appendFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { cliSuite, TempRepo } from './cliHarness';

interface ListJson {
  changes: { id: string; title: string; lifecycle: string; stage: string; risk_tier: string; maturity_level: string; active: boolean }[];
  problems: unknown[];
}
interface StatusJson {
  id: string;
  title: string;
  active: boolean;
  blockers: string[];
}

const ids = (l: ListJson) => l.changes.map((c) => c.id);

describe('cli: new, list, show, status, use', () => {
  cliSuite();

  it('numbers changes CH-001, CH-002, … in order and writes change.yaml and brief.md', async () => {
    const repo = await TempRepo.create();
    for (const t of ['First', 'Second', 'Third']) await repo.ok('new', t);
    assert.deepEqual(repo.changeIds(), ['CH-001', 'CH-002', 'CH-003']);
    const r = await repo.ok('new', 'Fourth');
    assert.match(r.stdout, /^Created CH-004: Fourth\n {2}changes\/CH-004\/change\.yaml\n {2}changes\/CH-004\/brief\.md\n/);
    const yaml = repo.read('changes/CH-004/change.yaml');
    assert.ok(yaml.startsWith('# yaml-language-server: $schema=../../.dynaforge/schemas/change.schema.json\nid: CH-004\ntitle: Fourth\n'), yaml);
    assert.match(repo.read('changes/CH-004/brief.md'), /CH-004/);
  });

  it('widens past CH-999 to CH-1000', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Seed');
    cpSync(repo.path('changes/CH-001'), repo.path('changes/CH-999'), { recursive: true });
    writeFileSync(repo.path('changes/CH-999/change.yaml'), repo.read('changes/CH-999/change.yaml').replace('id: CH-001', 'id: CH-999'));
    await repo.ok('show', 'CH-999');

    const r = await repo.ok('new', 'Wide');
    assert.match(r.stdout, /^Created CH-1000: Wide/);
    assert.equal((parse(repo.read('changes/CH-1000/change.yaml')) as { id: string }).id, 'CH-1000');
    await repo.ok('new', 'Wider');
    assert.deepEqual(repo.changeIds(), ['CH-001', 'CH-999', 'CH-1000', 'CH-1001']);
    const list = await repo.json<ListJson>('list');
    assert.deepEqual(ids(list), ['CH-001', 'CH-999', 'CH-1000', 'CH-1001'], 'listed in numeric order');
    assert.equal((await repo.json<{ change: { id: string } }>('show', '1000')).change.id, 'CH-1000', 'a bare number names a change');
  });

  it('never reuses the id of a deleted change: its audit stream outlives the folder', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two');
    await repo.ok('concern', 'raise', 'Belongs to the old CH-002', '-c', 'CH-002', '--severity', 'high');
    rmSync(repo.path('changes/CH-002'), { recursive: true });
    const r = await repo.ok('new', 'Brand new');
    assert.match(r.stdout, /^Created CH-003: Brand new/);
    assert.deepEqual((await repo.json<StatusJson>('status', 'CH-003')).blockers, [], 'no concern of another change');
    assert.equal(repo.auditEvents().filter((e) => e.file === 'audit/changes/CH-002.jsonl' && e.type === 'change.created').length, 1);
  });

  it('puts every flag into change.yaml', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Rate-limit', 'login', '--fr', 'FR-1', 'FR-2', '--ws', 'WS-auth', '--tc', 'TC-7,TC-8', '--scope', 'src/auth', 'docs/*.md', '--origin', 'spec', '--risk', 'high', '--maturity', 'M3');
    const c = parse(repo.read('changes/CH-001/change.yaml')) as Record<string, unknown>;
    assert.deepEqual(c, {
      id: 'CH-001',
      title: 'Rate-limit login',
      origin: 'spec',
      scope: { paths: ['src/auth', 'docs/*.md'], frs: ['FR-1', 'FR-2'], ws: ['WS-auth'], tcs: ['TC-7', 'TC-8'] },
      maturity_level: 'M3',
      risk_tier: 'high',
      status: 'open',
      links: { depends_on: [], supersedes: [], related: [] },
      approvals: [],
      evidence: [],
      created: '2026-11-21T09:00:00.000Z',
      updated: '2026-11-21T09:00:00.000Z',
    });
  });

  it('a flag value outside its choices is a usage error (exit 2) and creates nothing', async () => {
    const repo = await TempRepo.create();
    const r = await repo.run(['new', 'X', '--risk', 'extreme']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /dynaforge: error: option '--risk <tier>' argument 'extreme' is invalid\. Allowed choices are low, medium, high, critical\./);
    assert.deepEqual(repo.changeIds(), []);
  });

  it('list filters by --risk, --status and --stage', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Low one', '--risk', 'low');
    await repo.ok('new', 'High one', '--risk', 'high');
    await repo.ok('new', 'Analyzed one', '--risk', 'high');
    writeFileSync(repo.path('changes/CH-003/spec.md'), '# Spec\n'); // a spec makes it Analyzed

    assert.deepEqual(ids(await repo.json<ListJson>('list')), ['CH-001', 'CH-002', 'CH-003']);
    assert.deepEqual(ids(await repo.json<ListJson>('list', '--risk', 'high')), ['CH-002', 'CH-003']);
    assert.deepEqual(ids(await repo.json<ListJson>('list', '--status', 'draft')), ['CH-001', 'CH-002']);
    assert.deepEqual(ids(await repo.json<ListJson>('list', '--status', 'Analyzed', '--risk', 'high')), ['CH-003']);
    assert.deepEqual(ids(await repo.json<ListJson>('list', '--stage', 'frame')), ['CH-001', 'CH-002', 'CH-003']);
    assert.deepEqual(ids(await repo.json<ListJson>('list', '--stage', 'execute')), []);
    const human = await repo.ok('list', '--risk', 'low');
    assert.match(human.stdout, /CH-001 +Draft +frame +low +0 +Low one/);
    assert.doesNotMatch(human.stdout, /CH-002/);
  });

  for (const [flag, value, valid] of [
    ['--risk', 'extreme', 'low, medium, high, critical'],
    ['--status', 'nope', 'Draft, Analyzed, In-Progress'],
    ['--stage', 'deploy', 'frame, spec, execute, validate, package, cleanup'],
  ] as const) {
    it(`list ${flag} ${value} is a usage error naming the field and the valid values`, async () => {
      const repo = await TempRepo.create();
      await repo.ok('new', 'One');
      const r = await repo.run(['list', flag, value]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`dynaforge: error: unknown ${flag.slice(2)} "${value}"\\n {2}at field ${flag.slice(2)}\\n {2}fix: use one of: ${valid}`));
      assert.equal(r.stdout, '');
    });
  }

  it('show prints the record, its artifacts and its status', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Shown', '--scope', 'src', '--fr', 'FR-3', '--risk', 'low');
    const r = await repo.ok('show', 'CH-001');
    assert.match(r.stdout, /^CH-001: Shown\n {2}origin idea · risk low · maturity M1 · created 2026-11-21T09:00:00\.000Z/);
    assert.match(r.stdout, /scope: src, FR-3/);
    assert.match(r.stdout, /brief\.md {2}sha256:[0-9a-f]{12}/);
    assert.match(r.stdout, /status: Draft · stage: frame/);
    const j = await repo.json<{ change: { id: string; risk_tier: string }; artifacts: Record<string, string>; status: { lifecycle: string } }>('show', 'ch-1');
    assert.equal(j.change.risk_tier, 'low');
    assert.deepEqual(Object.keys(j.artifacts), ['brief.md']);
    assert.equal(j.status.lifecycle, 'Draft');
  });

  it('use sets the active change; status, show and list follow it; --clear forgets it', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two');
    const none = await repo.ok('status');
    assert.match(none.stdout, /^2 changes: 2 Draft\nno active change/);
    const showNone = await repo.run(['show']);
    assert.equal(showNone.code, 2);
    assert.match(showNone.stderr, /which change\? none was given and none is active\n.*\n {2}fix: .*dynaforge use CH-012/);

    const u = await repo.ok('use', 'CH-002');
    assert.equal(u.stdout, 'Active change: CH-002: Two\n');
    assert.match((await repo.ok('status')).stdout, /^CH-002: Two \(active via `dynaforge use`\)\n {2}status: Draft · stage: frame/);
    assert.match((await repo.ok('show')).stdout, /^CH-002: Two\n/);
    assert.match((await repo.ok('use')).stdout, /^CH-002 \(via `dynaforge use`\)/);
    assert.deepEqual((await repo.json<ListJson>('list')).changes.map((c) => c.active), [false, true]);
    assert.match((await repo.ok('status', '--all')).stdout, /^2 changes: 2 Draft\nactive: CH-002/);
    assert.equal((await repo.json<StatusJson>('status')).active, true);

    assert.match((await repo.ok('use', '--clear')).stdout, /No active change\./);
    assert.match((await repo.ok('status')).stdout, /no active change/);

    await repo.ok('new', 'Three', '--use');
    assert.match((await repo.ok('status')).stdout, /^CH-003: Three \(active via `dynaforge use`\)/);
  });

  it('use refuses an unknown change and leaves the active one as it was', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One', '--use');
    const r = await repo.run(['use', 'CH-404']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /there is no change CH-404 \(no changes\/CH-404\/change\.yaml\)/);
    assert.match((await repo.ok('status')).stdout, /^CH-001: One/);
  });

  it('a use that cannot be recorded leaves the active change as it was', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two', '--use');
    appendFileSync(repo.path('audit/changes/CH-001.jsonl'), '{"torn'); // as a crash mid-append would
    const r = await repo.run(['use', 'CH-001']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /audit\/changes\/CH-001\.jsonl ends in a torn line .*\n {2}fix: run `dynaforge audit repair`/);
    assert.match((await repo.ok('use')).stdout, /^CH-002 \(via `dynaforge use`\)/);
  });

  it('DF_CHANGE overrides the change set with use', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two', '--use');
    const r = await repo.run(['status'], { env: { DF_CHANGE: 'CH-001' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CH-001: One \(active via DF_CHANGE\)/);
    const u = await repo.run(['use', 'CH-002'], { env: { DF_CHANGE: 'CH-001' } });
    assert.match(u.stdout, /but DF_CHANGE=CH-001 takes precedence in this shell/);
    assert.match((await repo.ok('status')).stdout, /^CH-002: Two/, 'without DF_CHANGE, use wins again');
    const bad = await repo.run(['list'], { env: { DF_CHANGE: 'CH-1x' } });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'dynaforge: error: DF_CHANGE="CH-1x" is not a change id\n  at field DF_CHANGE\n  fix: set DF_CHANGE to a change id like CH-012, or unset it\n', 'the message says where the bad id came from');
  });

  it('a branch named ch/CH-002-foo implies CH-002 (over a use made on another branch)', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two');
    await repo.ok('use', 'CH-001'); // on main
    repo.git('checkout', '-q', '-b', 'ch/CH-002-foo');
    assert.match((await repo.ok('status')).stdout, /^CH-002: Two \(active via branch ch\/CH-002-foo\)/);
    assert.match((await repo.ok('show')).stdout, /^CH-002: Two/);
    await repo.ok('use', 'CH-001'); // made on this branch: now it wins here
    assert.match((await repo.ok('status')).stdout, /^CH-001: One \(active via `dynaforge use`\)/);
  });

  it('--json output parses and says ok:true for every read command', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Jason');
    const created = await repo.json<{ change: { id: string; title: string }; files: string[] }>('new', 'Second');
    assert.equal(created.change.id, 'CH-002');
    assert.deepEqual(created.files, ['changes/CH-002/change.yaml', 'changes/CH-002/brief.md']);
    assert.equal((await repo.json<ListJson>('list')).changes.length, 2);
    assert.equal((await repo.json<StatusJson>('status', 'CH-001')).title, 'Jason');
    assert.equal((await repo.json<{ changes: number }>('status')).changes, 2);
    assert.deepEqual((await repo.json<{ active: unknown }>('use')).active, null);
    assert.ok(Array.isArray((await repo.json<{ concerns: unknown[] }>('concern', 'list')).concerns));
    const err = await repo.run(['--json', 'show', 'CH-404']);
    assert.equal(err.code, 1);
    const e = JSON.parse(err.stdout) as { ok: boolean; error: { code: string; file: string; fix: string } };
    assert.equal(e.ok, false);
    assert.equal(e.error.code, 'unknown-change');
    assert.equal(e.error.file, 'changes/CH-404/change.yaml');
    assert.match(e.error.fix, /known changes: CH-001, CH-002/);
  });
});
