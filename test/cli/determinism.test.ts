import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { cliSuite, diffSnapshots, snapshot, TempRepo } from './cliHarness';

/** The script both repositories run: successes, failures, concerns, reads, an init --force. */
const SCRIPT: readonly (readonly string[])[] = [
  ['new', 'Rate-limit login', '--risk', 'high', '--scope', 'src/auth', '--fr', 'FR-1', '--maturity', 'M2'],
  ['new', 'Ünïcødé title; $(not run)', '--ws', 'WS-1', '--tc', 'TC-1', '--origin', 'doc'],
  ['new', 'Third', '--use'],
  ['use', 'CH-001'],
  ['concern', 'raise', 'No tests yet', '--severity', 'high', '--evidence', 'src/auth/login.ts'],
  ['concern', 'raise', 'Typo', '-c', 'CH-002', '--severity', 'low'],
  ['concern', 'ack', 'C-1', '--note', 'on it'],
  ['concern', 'assign', 'CH-002/C-1', '--to', 'bob'],
  ['concern', 'resolve', 'CH-002/C-1'],
  ['list'],
  ['list', '--risk', 'high'],
  ['show', 'CH-002'],
  ['status'],
  ['status', '--all'],
  ['concern', 'list', '--status', 'all'],
  ['show', 'CH-404'],
  ['new', 'Bad', '--scope', '../escape'],
  ['init', '--force'],
  ['doctor'],
  ['audit', 'verify'],
  ['audit', 'repair'],
];

async function play(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  writeFileSync(repo.path('.dynaforge/memory/constitution.md'), '# Ours\n'); // init --force backs it up
  for (const args of SCRIPT) await repo.run(args);
  return repo;
}

describe('cli: determinism', () => {
  cliSuite();

  it('the same commands with the same DYNAFORGE_NOW in two fresh repositories give byte-identical files', async () => {
    const a = await play();
    const b = await play();
    assert.notEqual(a.dir, b.dir);

    const dirs = ['changes', 'audit', '.dynaforge'];
    const sa = snapshot(a.dir, dirs);
    const sb = snapshot(b.dir, dirs);
    assert.ok([...sa.keys()].some((f) => f.startsWith('changes/CH-003/')), 'the script made its changes');
    assert.ok([...sa.keys()].some((f) => f.includes('constitution.md.bak-')), 'and its backup');
    assert.equal(a.auditEvents().filter((e) => e.type === 'command').length, SCRIPT.length + 1, 'and a real audit trail');
    assert.deepEqual([...sa.keys()].sort(), [...sb.keys()].sort(), 'the same files');
    assert.deepEqual(diffSnapshots(sa, sb), { added: [], removed: [], changed: [] }, 'with the same bytes');
    assert.equal(a.read('.gitignore'), b.read('.gitignore'));
    assert.equal(a.read('.dynaforge/state/active.json'), b.read('.dynaforge/state/active.json'));
  });

  it('a different DYNAFORGE_NOW gives different timestamps, and the logs still verify', async () => {
    const a = await TempRepo.create();
    const b = await TempRepo.create({ env: { DYNAFORGE_NOW: '2027-01-02T03:04:05Z' } });
    for (const r of [a, b]) await r.ok('new', 'Same title');
    assert.notEqual(a.read('changes/CH-001/change.yaml'), b.read('changes/CH-001/change.yaml'));
    assert.match(b.read('changes/CH-001/change.yaml'), /^created: 2027-01-02T03:04:05\.000Z$/m);
    for (const r of [a, b]) await r.ok('audit', 'verify');
  });

  it('an invalid DYNAFORGE_NOW is a usage error naming it', async () => {
    const repo = await TempRepo.create();
    const r = await repo.run(['new', 'X'], { env: { DYNAFORGE_NOW: 'yesterday' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /DYNAFORGE_NOW="yesterday" is not an ISO-8601 time\n {2}at field DYNAFORGE_NOW\n {2}fix: set it like DYNAFORGE_NOW=2026-11-21T09:00:00Z/);
    assert.deepEqual(repo.changeIds(), []);
  });
});
