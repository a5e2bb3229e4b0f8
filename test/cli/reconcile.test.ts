import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cliSuite, commitAll, IDENTITY, TempRepo } from './cliHarness';

interface Item {
  key: string;
  kind: string;
  ch_id?: string;
  actions: string[];
  message: string;
  file?: string;
  line?: number;
}
interface Listing {
  items: Item[];
  hidden_accepted: number;
  applied: { key: string; action: string; result: string[] }[];
  skipped: { key: string }[];
}
interface CheckJson {
  passed: boolean;
  counts: { error: number; warning: number; note: number };
  findings: Item[];
  accepted: { key: string; note: string; by: string }[];
  changed_since?: { changes: string[] };
}

/** A project with requirements, a test, a committed adoption of Dynaforge and one change with spec + plan. */
async function project(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  mkdirSync(repo.path('src'));
  mkdirSync(repo.path('docs/requirements'), { recursive: true });
  mkdirSync(repo.path('test'));
  writeFileSync(repo.path('src/login.ts'), 'export const login = 1;\n');
  writeFileSync(repo.path('src/other.ts'), 'export const other = 1;\n');
  writeFileSync(repo.path('docs/requirements/auth.md'), '# Auth\n## FR-1 Login\n## FR-2 Logout\n');
  writeFileSync(repo.path('test/login.test.ts'), "it('TC-1 verifies FR-1 and FR-2', () => {});\n");
  await repo.ok('new', 'Login', '--scope', 'src/login.ts', '--fr', 'FR-1');
  await repo.ok('spec', 'CH-001');
  await repo.ok('plan', 'CH-001');
  commitAll(repo.dir, 'adopt dynaforge');
  return repo;
}

const keys = (l: { items: Item[] }) => l.items.map((i) => i.key);

describe('cli: reconcile and check', () => {
  cliSuite();

  it('a clean project has no drift and check passes', async () => {
    const repo = await project();
    const list = await repo.json<Listing>('reconcile');
    assert.deepEqual(list.items, []);
    const check = await repo.run(['check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /check passed: 0 errors, 0 warnings, 0 notes/);
  });

  it('finds a stale artifact and a stale approval, regenerates and re-approves, each audited', async () => {
    const repo = await project();
    await repo.ok('approve', 'CH-001', '--stage', 'frame');
    await repo.ok('approve', 'CH-001', '--stage', 'spec');
    appendFileSync(repo.path('changes/CH-001/spec.md'), '\nThe lockout lasts 15 minutes.\n');

    const list = await repo.json<Listing>('reconcile', 'CH-001');
    assert.deepEqual(keys(list), ['artifact-stale:CH-001:plan.md', 'approval-stale:CH-001:spec']);
    assert.deepEqual(list.items[0]?.actions, ['regenerate', 'accept']);
    assert.match(list.items[0]?.message ?? '', /plan\.md was derived from spec\.md, which has changed since/);
    assert.deepEqual(list.items[1]?.actions, ['re-approve']);

    const check = await repo.run(['--json', 'check']);
    assert.equal(check.code, 1, 'stale items are warnings, and check fails at warning by default');
    assert.equal((JSON.parse(check.stdout) as CheckJson).counts.warning, 2);
    assert.equal((await repo.run(['check', '--fail-on', 'error'])).code, 0, 'a higher threshold lets warnings pass');

    const regen = await repo.json<Listing>('reconcile', 'CH-001', '--apply', 'regenerate');
    assert.deepEqual(regen.applied.map((a) => a.key), ['artifact-stale:CH-001:plan.md']);
    assert.deepEqual(regen.skipped.map((s) => s.key), ['approval-stale:CH-001:spec']);
    const plan = readFileSync(repo.path('changes/CH-001/plan.md'), 'utf8');
    const specHash = (await repo.json<{ hash: string }>('spec', 'CH-001')).hash;
    assert.ok(plan.includes(specHash), 'plan.md now records the current spec.md hash');

    const reapprove = await repo.json<Listing>('reconcile', '--item', 'approval-stale:CH-001:spec', '--apply', 're-approve', '--note', 'lockout detail is fine');
    assert.equal(reapprove.applied[0]?.result[0], `CH-001 spec approved by ${IDENTITY.name} <${IDENTITY.email}>`);
    assert.deepEqual((await repo.json<Listing>('reconcile')).items, []);

    const events = repo.auditEvents().filter((e) => e.type === 'drift.reconciled').map((e) => [e.payload.key, e.payload.action, e.file]);
    assert.deepEqual(events, [
      ['artifact-stale:CH-001:plan.md', 'regenerate', 'audit/changes/CH-001.jsonl'],
      ['approval-stale:CH-001:spec', 're-approve', 'audit/changes/CH-001.jsonl'],
    ]);
    assert.ok(repo.auditEvents().some((e) => e.type === 'approval.recorded' && e.payload.note === 'lockout detail is fine'));
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });

  it('an orphan commit is never lost: it can be attached, or captured as a new change', async () => {
    const repo = await project();
    appendFileSync(repo.path('src/login.ts'), 'export const fix = 2;\n');
    commitAll(repo.dir, 'quick fix outside the tool');
    appendFileSync(repo.path('src/other.ts'), 'export const more = 2;\n');
    commitAll(repo.dir, 'another one');
    const sha = (n: number) => repo.git('rev-parse', `HEAD~${n}`);

    const list = await repo.json<Listing>('reconcile', '--kind', 'orphan-commit');
    assert.deepEqual(keys(list), [`orphan-commit:${sha(1)}`, `orphan-commit:${sha(0)}`].sort());
    const login = list.items.find((i) => i.key === `orphan-commit:${sha(1)}`);
    assert.match(login?.message ?? '', /"quick fix outside the tool" changes 1 governed file \(src\/login\.ts\) and no change claims it/);
    assert.equal((await repo.json<Listing>('reconcile', 'CH-001', '--kind', 'orphan-commit')).items.length, 1, 'per change: only the commit touching its scope');

    const noTarget = await repo.run(['reconcile', '--item', `orphan-commit:${sha(0)}`, '--apply', 'attach']);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /attach .* to which change\?/);
    await repo.ok('reconcile', '--item', `orphan-commit:${sha(1)}`, '--apply', 'attach', '--to', 'CH-001');
    const evidence = JSON.parse(repo.read('changes/CH-001/evidence.json')) as { entries: { commits: { sha: string }[] }[] };
    assert.deepEqual(evidence.entries[0]?.commits.map((c) => c.sha), [sha(1)]);

    const captured = await repo.json<Listing>('reconcile', '--item', `orphan-commit:${sha(0)}`, '--apply', 'capture');
    assert.equal(captured.applied[0]?.result[0], 'CH-002');
    assert.match(repo.read('changes/CH-002/change.yaml'), /origin: code/);
    assert.deepEqual((await repo.json<Listing>('reconcile', '--kind', 'orphan-commit')).items, []);
  });

  it('commits claimed by a Change: trailer are not orphans; a trailer naming an unknown change is', async () => {
    const repo = await project();
    appendFileSync(repo.path('src/login.ts'), 'export const a = 2;\n');
    commitAll(repo.dir, 'claimed\n\nChange: CH-001');
    appendFileSync(repo.path('src/login.ts'), 'export const b = 2;\n');
    commitAll(repo.dir, 'claims a ghost\n\nChange: CH-077');
    const list = await repo.json<Listing>('reconcile', '--kind', 'orphan-commit');
    assert.equal(list.items.length, 1);
    assert.match(list.items[0]?.message ?? '', /"claims a ghost" .*\(its trailer names CH-077, which does not exist here\)/);
  });

  it('drift.ignore and dynaforge records are not governed; nothing before adoption is an orphan', async () => {
    const repo = await project();
    writeFileSync(repo.path('.dynaforge/config.yaml'), `${repo.read('.dynaforge/config.yaml')}drift:\n  ignore: ['docs/**']\n`);
    commitAll(repo.dir, 'ignore docs');
    appendFileSync(repo.path('docs/requirements/auth.md'), 'More words.\n');
    commitAll(repo.dir, 'docs only');
    await repo.ok('new', 'Another');
    commitAll(repo.dir, 'records only');
    assert.deepEqual((await repo.json<Listing>('reconcile', '--kind', 'orphan-commit')).items, []);
  });

  it('scope drift: evidence files changed after capture, then attached', async () => {
    const repo = await project();
    appendFileSync(repo.path('src/login.ts'), 'export const a = 2;\n');
    commitAll(repo.dir, 'work\n\nChange: CH-001');
    await repo.ok('capture', '--from', 'HEAD~1..HEAD', '--into', 'CH-001');
    commitAll(repo.dir, 'record capture');
    assert.deepEqual((await repo.json<Listing>('reconcile', '--kind', 'scope-drift')).items, []);

    appendFileSync(repo.path('src/login.ts'), 'export const b = 3;\n');
    const uncommitted = await repo.json<Listing>('reconcile', '--kind', 'scope-drift');
    assert.deepEqual(uncommitted.items, [], 'drift is about git history: an uncommitted edit is not drift yet');
    commitAll(repo.dir, 'more work\n\nChange: CH-001');
    const list = await repo.json<Listing>('reconcile', '--kind', 'scope-drift');
    assert.deepEqual(keys(list), ['scope-drift:CH-001:evidence']);
    assert.match(list.items[0]?.message ?? '', /1 file of CH-001's evidence changed after it was taken: src\/login\.ts/);
    await repo.ok('reconcile', 'CH-001', '--kind', 'scope-drift', '--apply', 'attach');
    assert.deepEqual((await repo.json<Listing>('reconcile', '--kind', 'scope-drift')).items, []);
    assert.equal((JSON.parse(repo.read('changes/CH-001/evidence.json')) as { entries: unknown[] }).entries.length, 2);
  });

  it('accepting needs a note, hides the item until its state moves again, and is audited', async () => {
    const repo = await project();
    const gap = 'trace-gap:fr-untested:FR-2';
    writeFileSync(repo.path('test/login.test.ts'), "it('TC-1 verifies FR-1', () => {});\n");
    assert.deepEqual(keys(await repo.json<Listing>('reconcile', '--kind', 'trace-gap')), [gap]);
    const noNote = await repo.run(['reconcile', '--item', gap, '--apply', 'accept']);
    assert.equal(noNote.code, 2);
    assert.match(noNote.stderr, /needs a note saying why it is intentional/);
    await repo.ok('reconcile', '--item', gap, '--apply', 'accept', '--note', 'logout is tested by hand');
    const after = await repo.json<Listing>('reconcile');
    assert.deepEqual(after.items, []);
    assert.equal(after.hidden_accepted, 1);
    const check = JSON.parse((await repo.run(['--json', 'check'])).stdout) as CheckJson;
    assert.equal(check.passed, true);
    assert.deepEqual(check.accepted.map((a) => [a.key, a.note, a.by]), [[gap, 'logout is tested by hand', `${IDENTITY.name} <${IDENTITY.email}>`]]);

    // An accepted stale plan comes back when the spec moves again.
    appendFileSync(repo.path('changes/CH-001/spec.md'), 'edit 1\n');
    await repo.ok('reconcile', '--item', 'artifact-stale:CH-001:plan.md', '--apply', 'accept', '--note', 'wording only');
    assert.deepEqual(keys(await repo.json<Listing>('reconcile')), []);
    appendFileSync(repo.path('changes/CH-001/spec.md'), 'edit 2\n');
    assert.deepEqual(keys(await repo.json<Listing>('reconcile')), ['artifact-stale:CH-001:plan.md']);
  });

  it('interactive reconcile reads the choices from stdin, one item at a time', async () => {
    const repo = await project();
    appendFileSync(repo.path('changes/CH-001/spec.md'), 'edit\n');
    writeFileSync(repo.path('test/login.test.ts'), "it('TC-1 verifies FR-1', () => {});\n");
    // Item 1 (stale plan): "1" = regenerate, empty note. Item 2 (trace gap): "x" is refused, then "accept" with a reason.
    const r = await repo.run(['reconcile', '-i'], { input: '1\n\nx\naccept\nmanual test\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[1\/2\] artifact-stale CH-001/);
    assert.match(r.stderr, /"x" is not one of the choices/);
    assert.match(r.stdout, /Applied 2 action\(s\)/);
    assert.deepEqual(repo.auditEvents().filter((e) => e.type === 'drift.reconciled').map((e) => [e.payload.action, e.payload.note ?? '']), [['regenerate', ''], ['accept', 'manual test']]);
    const quit = await repo.run(['reconcile', '-i'], { input: '' });
    assert.equal(quit.code, 0, 'end of input stops asking');
  });

  it('check: invalid files and broken audit logs are errors; exit 2 for usage errors', async () => {
    const repo = await project();
    writeFileSync(repo.path('changes/CH-001/plan.md'), '---\ndynaforge:\n  artifact: blueprint\n  change: CH-001\n---\nbody\n');
    writeFileSync(repo.path('changes/CH-001/tasks.md'), '# Tasks\n\n- [ ] T-001 fine\n- [?] T-002 broken box\n');
    const r = JSON.parse((await repo.run(['--json', 'check'])).stdout) as CheckJson;
    const invalid = r.findings.filter((f) => f.kind === 'invalid').map((f) => [f.file, f.line]);
    assert.deepEqual(invalid, [['changes/CH-001/plan.md', 3], ['changes/CH-001/tasks.md', 4]], 'each points at its file and line');
    assert.equal(r.passed, false);
    const stream = repo.path('audit/changes/CH-001.jsonl');
    writeFileSync(stream, readFileSync(stream, 'utf8').replace('"Login"', '"Logon"'));
    const broken = JSON.parse((await repo.run(['--json', 'check'])).stdout) as CheckJson;
    const audit = broken.findings.find((f) => f.kind === 'audit-broken');
    assert.equal(audit?.file, 'audit/changes/CH-001.jsonl');
    assert.equal(audit?.line, 1);
    for (const args of [['check', '--fail-on', 'fatal'], ['check', '--changed-since', '--upload-pack=x'], ['check', '--changed-since', 'no-such-rev']]) {
      const u = await repo.run(args);
      assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
    }
  });

  it('check --sarif writes SARIF 2.1.0 with locations, rules and suppressions', async () => {
    const repo = await project();
    writeFileSync(repo.path('test/login.test.ts'), "it('TC-1 verifies FR-1', () => {});\n");
    appendFileSync(repo.path('changes/CH-001/spec.md'), 'edit\n');
    await repo.ok('reconcile', '--item', 'trace-gap:fr-untested:FR-2', '--apply', 'accept', '--note', 'later');
    const r = await repo.run(['check', '--sarif', 'out/check.sarif']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /SARIF written to out\/check\.sarif/);
    const sarif = JSON.parse(repo.read('out/check.sarif')) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[]; suppressions?: unknown[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.deepEqual(run?.tool.driver.rules.map((x) => x.id), ['artifact-stale', 'trace-gap']);
    const stale = run?.results.find((x) => x.ruleId === 'artifact-stale');
    assert.equal(stale?.level, 'warning');
    assert.equal(stale?.locations?.[0]?.physicalLocation.artifactLocation.uri, 'changes/CH-001/plan.md');
    assert.equal(run?.results.find((x) => x.ruleId === 'trace-gap')?.suppressions?.length, 1);
    const stdout = await repo.run(['check', '--sarif']);
    assert.equal((JSON.parse(stdout.stdout) as { version: string }).version, '2.1.0', 'without a file, SARIF goes to stdout');
  });

  it('check --changed-since keeps what a pull request touches', async () => {
    const repo = await project();
    await repo.ok('new', 'Other', '--scope', 'src/other.ts');
    await repo.ok('spec', 'CH-002');
    await repo.ok('plan', 'CH-002');
    appendFileSync(repo.path('changes/CH-002/spec.md'), 'edit on main\n');
    commitAll(repo.dir, 'second change, its plan already stale on main');
    repo.git('checkout', '-q', '-b', 'feature');
    // The feature branch edits CH-001's spec (its plan goes stale); CH-002's older drift is not the pull request's.
    appendFileSync(repo.path('changes/CH-001/spec.md'), 'edit on the branch\n');
    commitAll(repo.dir, 'feature work\n\nChange: CH-001');
    const all = JSON.parse((await repo.run(['--json', 'check'])).stdout) as CheckJson;
    assert.deepEqual([...new Set(all.findings.map((f) => f.ch_id))], ['CH-001', 'CH-002']);
    const pr = JSON.parse((await repo.run(['--json', 'check', '--changed-since', 'main'])).stdout) as CheckJson;
    assert.deepEqual(pr.changed_since?.changes, ['CH-001']);
    assert.deepEqual(pr.findings.map((f) => f.key), ['artifact-stale:CH-001:plan.md']);
  });

  it('id collision: one change stream holding two creations, as a merge of two branches leaves it', async () => {
    const repo = await project();
    const stream = repo.path('audit/changes/CH-001.jsonl');
    const first = readFileSync(stream, 'utf8').split('\n')[0] as string;
    appendFileSync(stream, `${first.replace('"Login"', '"Other login"')}\n`);
    const r = JSON.parse((await repo.run(['--json', 'check'])).stdout) as CheckJson;
    const collision = r.findings.find((f) => f.kind === 'id-collision');
    assert.equal(collision?.ch_id, 'CH-001');
    assert.match(collision?.message ?? '', /records 2 creations of CH-001/);
    assert.equal(r.passed, false);
  });
});
