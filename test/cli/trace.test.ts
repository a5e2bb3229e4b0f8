import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cliSuite, TempRepo } from './cliHarness';

interface Gap {
  kind: string;
  id: string;
  message: string;
  file?: string;
  line?: number;
}
interface GapsJson {
  summary: Record<string, number>;
  gaps: Gap[];
  traceability?: { file: string; written: boolean };
}
interface ViewJson {
  kind: string;
  item: Record<string, unknown>;
  gaps: Gap[];
}

function put(repo: TempRepo, rel: string, text: string): void {
  mkdirSync(dirname(repo.path(rel)), { recursive: true });
  writeFileSync(repo.path(rel), text);
}

/** FR-1 tested by TC-7 (and named by CH-001), FR-2 untested, TC-8 naming an unknown FR-9, CH-001 naming an unknown FR-5. */
async function tracedRepo(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  put(repo, 'docs/requirements/auth.md', '# Authentication\n\n## FR-1: Users log in\n\nText.\n\n## FR-2 Lockout after five tries\n');
  put(repo, 'test/login.test.ts', "describe('login', () => {\n  it('TC-7 FR-1 logs in', () => {});\n  it('TC-8 FR-9 does something', () => {});\n});\n");
  await repo.ok('new', 'Login', '--fr', 'FR-1', 'FR-5', '--tc', 'TC-7', '--ws', 'WS-auth', '--scope', 'src/auth');
  return repo;
}

describe('cli: trace', () => {
  cliSuite();

  it('with no id prints the gaps summary (every gap with file:line) and exits 0', async () => {
    const repo = await tracedRepo();
    const r = await repo.ok('trace');
    assert.match(r.stdout, /^Trace: 2 requirements \(0 verified, 1 covered, 1 without a test\), 2 test cases, 1 workstream, 1 change\.\nGaps \(3\):\n/);
    assert.match(r.stdout, /fr-untested +FR-2 +docs\/requirements\/auth\.md:7 +FR-2 has no test/);
    assert.match(r.stdout, /tc-unknown-fr +TC-8 +test\/login\.test\.ts:3 +TC-8 names FR-9, which no requirement defines/);
    assert.match(r.stdout, /change-unknown-fr +CH-001 +changes\/CH-001\/change\.yaml:10 +CH-001 scope\.frs names FR-5/);
    const j = await repo.json<GapsJson>('trace');
    assert.deepEqual(j.summary, { requirements: 2, verified: 0, covered: 1, untested: 1, tests: 2, workstreams: 1, changes: 1, gaps: 3 });
    assert.deepEqual(j.gaps.map((g) => [g.kind, g.id, g.file, g.line]), [
      ['fr-untested', 'FR-2', 'docs/requirements/auth.md', 7],
      ['tc-unknown-fr', 'TC-8', 'test/login.test.ts', 3],
      ['change-unknown-fr', 'CH-001', 'changes/CH-001/change.yaml', 10],
    ]);
  });

  it('shows the links of a requirement, a test case, a workstream and a change', async () => {
    const repo = await tracedRepo();
    const fr = await repo.ok('trace', 'fr-1');
    assert.match(fr.stdout, /^FR-1: Users log in\n {2}status +covered\n {2}defined at +docs\/requirements\/auth\.md:3\n {2}workstreams +WS-auth\n {2}tests +TC-7\n {2}changes +CH-001\n/);
    const tc = await repo.json<ViewJson>('trace', 'TC-7');
    assert.deepEqual(tc.item, { id: 'TC-7', at: [{ file: 'test/login.test.ts', line: 2 }], frs: ['FR-1'], changes: ['CH-001'] });
    const ws = await repo.json<ViewJson>('trace', 'WS-auth');
    assert.deepEqual(ws.item, { id: 'WS-auth', title: '', at: [], frs: ['FR-1', 'FR-5'], changes: ['CH-001'] });
    const ch = await repo.json<ViewJson>('trace', 'CH-001');
    assert.equal(ch.kind, 'change');
    assert.deepEqual([ch.item.lifecycle, ch.item.frs, ch.item.tcs, ch.item.verifiedBy, ch.item.paths], ['Draft', ['FR-1', 'FR-5'], ['TC-7'], ['TC-7'], ['src/auth']]);
    assert.deepEqual(ch.gaps.map((g) => g.kind), ['change-unknown-fr']);
    const traced = repo.auditEvents().filter((e) => e.type === 'command' && e.payload.name === 'trace');
    assert.equal(traced.length, 4);
    assert.deepEqual(traced.filter((e) => e.file === 'audit/changes/CH-001.jsonl').map((e) => e.payload.args), [['--json', 'trace', 'CH-001']], 'a trace of a change is recorded in its stream');
  });

  it('refuses an unknown id with exit 1 and near matches; a malformed one with exit 2', async () => {
    const repo = await tracedRepo();
    const r = await repo.run(['trace', 'FR-3']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: no trace item FR-3\n.*fix: did you mean FR-1, FR-2\?/s);
    const named = await repo.run(['trace', 'FR-5']);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /no trace item FR-5 \(named by CH-001, but defined by no trace source\)/);
    const bad = await repo.run(['trace', 'login']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"login" is not a trace item/);
    const events = repo.auditEvents().filter((e) => e.type === 'command' && e.payload.name === 'trace');
    assert.deepEqual(events.map((e) => e.payload.exit_code), [1, 1, 2]);
  });

  it('--write regenerates TRACEABILITY.md idempotently and rewrites it only when content changes', async () => {
    const repo = await tracedRepo();
    const first = await repo.json<GapsJson>('trace', '--write');
    assert.deepEqual(first.traceability, { file: 'TRACEABILITY.md', written: true });
    const text = repo.read('TRACEABILITY.md');
    assert.ok(text.includes('| FR-1 | Users log in | covered | docs/requirements/auth.md:3 | WS-auth | TC-7 | CH-001 (Draft) | — |'), text);
    assert.ok(text.includes('| FR-2 | Lockout after five tries | gap | docs/requirements/auth.md:7 | — | — | — | — |'), text);
    assert.ok(text.includes('- **tc-unknown-fr** TC-8: TC-8 names FR-9, which no requirement defines (test/login.test.ts:3)'), text);

    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(repo.path('TRACEABILITY.md'), old, old);
    const again = await repo.ok('trace', '--write', '--json');
    assert.deepEqual((JSON.parse(again.stdout) as GapsJson).traceability, { file: 'TRACEABILITY.md', written: false });
    assert.equal(statSync(repo.path('TRACEABILITY.md')).mtimeMs, old.getTime(), 'an unchanged view is not rewritten');
    assert.match((await repo.ok('trace', '--write')).stdout, /\nTRACEABILITY\.md unchanged$/m);
    assert.equal(repo.read('TRACEABILITY.md'), text);
    const other = await repo.run(['trace', '--write'], { env: { DYNAFORGE_NOW: '2031-05-05T05:05:05Z' } });
    assert.equal(other.code, 0);
    assert.equal(repo.read('TRACEABILITY.md'), text, 'the view does not depend on the clock');

    // A test for FR-2 and a merged CH-001: FR-2 becomes covered, FR-1 verified.
    put(repo, 'tests/lockout.py', 'def test_lockout():  # TC-9 FR-2\n    pass\n');
    writeFileSync(repo.path('changes/CH-001/change.yaml'), repo.read('changes/CH-001/change.yaml').replace('status: open', 'status: merged'));
    assert.match((await repo.ok('trace', '--write')).stdout, /TRACEABILITY\.md written/);
    const next = readFileSync(repo.path('TRACEABILITY.md'), 'utf8');
    assert.match(next, /\| FR-1 \| Users log in \| verified \| .* \| CH-001 \(Merged\) \|/);
    assert.match(next, /\| FR-2 \| Lockout after five tries \| covered \| docs\/requirements\/auth\.md:7 \| — \| TC-9 \|/);
  });

  it('reads ids from configured sources, workstreams included', async () => {
    const repo = await TempRepo.create();
    writeFileSync(
      repo.path('.dynaforge/config.yaml'),
      [
        'trace:',
        '  sources:',
        '    - { kind: fr, globs: ["spec/*.txt"], pattern: "^(REQ-\\\\d+|FR-\\\\d+)" }',
        '    - { kind: ws, globs: ["plan.md"], pattern: "^- (WS-[a-z]+)" }',
        '    - { kind: tc, globs: ["checks/**/*.sh"], pattern: "case (TC-\\\\d+)" }',
        '',
      ].join('\n'),
    );
    put(repo, 'spec/reqs.txt', 'FR-10 Export as CSV\nFR-11 Import\n');
    put(repo, 'plan.md', '# Plan\n- WS-data: data in and out (FR-10, FR-11)\n');
    put(repo, 'checks/export.sh', '# case TC-1 FR-10\n# TC-2 FR-11 is not a case line\n');
    await repo.ok('new', 'Export', '--ws', 'WS-ui');
    const j = await repo.json<GapsJson>('trace');
    assert.deepEqual(j.gaps.map((g) => [g.kind, g.id, g.line]), [
      ['fr-untested', 'FR-11', 2],
      ['change-unknown-ws', 'CH-001', 9],
    ]);
    const ws = await repo.json<ViewJson>('trace', 'WS-data');
    assert.deepEqual(ws.item, { id: 'WS-data', title: 'data in and out (FR-10, FR-11)', at: [{ file: 'plan.md', line: 2 }], frs: ['FR-10', 'FR-11'], changes: [] });
  });

  it('an invalid pattern in config.yaml is an error naming the file and the field', async () => {
    const repo = await TempRepo.create();
    writeFileSync(repo.path('.dynaforge/config.yaml'), 'trace:\n  sources:\n    - { kind: tc, globs: ["test/**"], pattern: "(TC-[0-9+" }\n');
    const r = await repo.run(['trace']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: \.dynaforge\/config\.yaml: trace\.sources\[0\]\.pattern is not a valid regular expression/);
    assert.match(r.stderr, /fix: fix trace\.sources\[0\]\.pattern in \.dynaforge\/config\.yaml/);
  });

  it('--write refuses, and writes nothing, while a change.yaml does not load', async () => {
    const repo = await tracedRepo();
    await repo.ok('new', 'Second');
    writeFileSync(repo.path('changes/CH-002/change.yaml'), 'id: CH-002\ntitle: [broken\n');
    const r = await repo.run(['trace', '--write']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TRACEABILITY\.md not written: 1 change does not load/);
    assert.match(r.stderr, /changes\/CH-002\/change\.yaml/);
    assert.throws(() => statSync(repo.path('TRACEABILITY.md')), /ENOENT/);
    const show = await repo.run(['trace', 'FR-1']);
    assert.equal(show.code, 1, 'the trace is shown, but incomplete: exit 1 like `list`');
    assert.match(show.stdout, /^FR-1: Users log in/);
  });
});
