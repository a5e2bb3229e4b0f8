import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import { canonicalJson, sha256 } from '../../src/core/canonical';
import type { TestResultsFile } from '../../src/core/qa/report';
import type { Change } from '../../src/core/schema/change';
import { cliSuite, IDENTITY, snapshot, TempRepo, type AuditLine } from './cliHarness';

const NODE = process.execPath;
const ADA = `${IDENTITY.name} <${IDENTITY.email}>`;

interface TestDecl {
  name: string;
  /** A script written to scripts/<name>.js and run with node. */
  script: string;
  cwd?: string;
  timeout_s?: number;
  junit?: string;
  tap?: string;
}

/** Declares `tests` (and a `qa` block) in config.yaml, each a node script of its own. */
function configure(repo: TempRepo, tests: TestDecl[], qa?: Record<string, unknown>): void {
  mkdirSync(repo.path('scripts'), { recursive: true });
  const decls = tests.map(({ script, ...t }) => {
    writeFileSync(repo.path('scripts', `${t.name}.js`), script);
    const rel = t.cwd && t.cwd !== '.' ? `${t.cwd.split('/').map(() => '..').join('/')}/scripts/${t.name}.js` : `scripts/${t.name}.js`;
    return { ...t, command: `"${NODE}" ${rel}` };
  });
  const file = repo.path('.dynaforge/config.yaml');
  const text = readFileSync(file, 'utf8').replace(/^tests: \[\]$/m, stringify({ tests: decls }).trimEnd());
  writeFileSync(file, qa ? `${text}\n${stringify({ qa })}` : text);
}

const JUNIT_3 = `require("fs").mkdirSync("reports", { recursive: true });
require("fs").writeFileSync("reports/junit.xml", '<testsuite name="s"><testcase name="a"/><testcase name="b"/><testcase name="c"><skipped/></testcase></testsuite>');
console.log("3 tests");`;

function results(repo: TempRepo, ch = 'CH-001'): TestResultsFile {
  return JSON.parse(repo.read(`tests/results/${ch}.json`)) as TestResultsFile;
}

function change(repo: TempRepo, ch = 'CH-001'): Change {
  return parseYaml(repo.read(`changes/${ch}/change.yaml`)) as Change;
}

function eventsOf(repo: TempRepo, type: string): AuditLine[] {
  return repo.auditEvents().filter((e) => e.type === type);
}

describe('cli: validate and waive', function () {
  this.timeout(120_000);
  cliSuite();

  it('a failing command is a FAIL: files written, verdict recorded, events, a concern, exit 1, and Package stays shut', async () => {
    const repo = await TempRepo.create();
    configure(repo, [
      { name: 'unit', script: 'console.log("unit ran"); console.error("expected 2, got 3"); process.exit(1);' },
      { name: 'junit', script: JUNIT_3, junit: 'reports/junit.xml' },
    ]);
    await repo.ok('new', 'Login', '--use');
    await repo.ok('approve', '--stage', 'frame');
    const r = await repo.run(['validate']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /CH-001: QA verdict FAIL/);
    assert.match(r.stdout, /unit exited 1/);
    assert.match(r.stdout, /concern CH-001\/C-1 names what failed/);

    const res = results(repo);
    assert.equal(res.verdict, 'FAIL');
    assert.equal(res.change, 'CH-001');
    assert.equal(res.by, ADA);
    assert.deepEqual(res.commands.map((c) => [c.name, c.exit]), [['unit', 1], ['junit', 0]]);
    assert.match(res.commands[0]?.output_tail ?? '', /unit ran\nexpected 2, got 3\n/);
    assert.deepEqual(res.commands[1]?.counts, { tests: 3, passed: 2, failed: 0, skipped: 1 });
    assert.equal(res.policy_hash, sha256(canonicalJson(res.policy)), 'the hash is of the policy recorded beside it');
    assert.deepEqual(res.reasons, ['test commands failed: required: unit exited 1']);

    const report = repo.read('changes/CH-001/QA_REPORT.md');
    assert.match(report, /\*\*Verdict: FAIL\*\*/);
    assert.match(report, /\| unit \| `.*scripts\/unit\.js` \| \. \| unit exited 1 \|/);
    assert.match(report, /### Output of unit[\s\S]*expected 2, got 3/);

    const v = change(repo).qa_verdict;
    assert.deepEqual(v, { verdict: 'FAIL', reasons: res.reasons, by: ADA, at: '2026-11-21T09:00:00.000Z', policy_hash: res.policy_hash });

    const [ran] = eventsOf(repo, 'tests.ran');
    const [verdict] = eventsOf(repo, 'qa.verdict');
    assert.ok(ran && verdict);
    assert.equal(ran.file, 'audit/changes/CH-001.jsonl');
    assert.equal(ran.payload.sha256, sha256(readFileSync(repo.path('tests/results/CH-001.json'))));
    assert.equal(ran.payload.policy_hash, res.policy_hash);
    assert.deepEqual(ran.payload.commands, [
      { name: 'unit', exit: 1, timed_out: false, duration_ms: 0 },
      { name: 'junit', exit: 0, timed_out: false, duration_ms: 0, counts: { tests: 3, passed: 2, failed: 0, skipped: 1 } },
    ]);
    assert.deepEqual(verdict.payload, { verdict: 'FAIL', reasons: res.reasons, policy_hash: res.policy_hash, report: 'changes/CH-001/QA_REPORT.md', concern_id: 'C-1' });
    const command = repo.auditEvents().filter((e) => e.type === 'command' && e.payload.name === 'validate');
    assert.equal(command.length, 1);
    assert.equal(command[0]?.correlation_id, verdict.correlation_id, 'one command, one correlation id');
    assert.equal(command[0]?.payload.exit_code, 1);

    const concerns = (await repo.ok('concern', 'list')).stdout;
    assert.match(concerns, /CH-001\/C-1 +medium +open/);
    assert.match(concerns, /QA verdict FAIL: test commands failed: required: unit exited 1/);

    // The same failure again raises no second concern.
    assert.equal((await repo.run(['validate'])).code, 1);
    assert.equal(eventsOf(repo, 'concern.raised').length, 1);
    assert.equal(eventsOf(repo, 'qa.verdict').length, 2);

    const pkg = await repo.run(['approve', '--stage', 'package']);
    assert.equal(pkg.code, 1);
    assert.match(pkg.stderr, /gate package: needs a Validate verdict of PASS or WAIVED \(now FAIL\)/);
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });

  it('PASS opens the Package gate end to end; --json reports the verdict', async () => {
    const repo = await TempRepo.create();
    configure(repo, [{ name: 'unit', script: JUNIT_3, junit: 'reports/junit.xml' }]);
    await repo.ok('new', 'Login', '--use');
    const early = await repo.run(['approve', '--stage', 'package']);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /needs a Validate verdict of PASS or WAIVED/);

    const concerns = await repo.run(['--json', 'validate']);
    assert.equal(concerns.code, 1, 'medium risk needs an approver first');
    const c = JSON.parse(concerns.stdout);
    assert.equal(c.verdict, 'CONCERNS');
    assert.deepEqual(c.reasons, ['the policy needs a current approval; there is none (dynaforge approve)']);
    assert.equal(eventsOf(repo, 'concern.raised').length, 0, 'CONCERNS raises no concern');

    await repo.ok('approve', '--stage', 'frame');
    const r = await repo.run(['--json', 'validate']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.verdict, 'PASS');
    assert.deepEqual(out.reasons, []);
    assert.equal(out.results, 'tests/results/CH-001.json');
    assert.equal(out.report, 'changes/CH-001/QA_REPORT.md');
    assert.equal(out.policy_hash, change(repo).qa_verdict?.policy_hash);
    assert.deepEqual(out.commands[0].counts, { tests: 3, passed: 2, failed: 0, skipped: 1 });
    assert.equal(change(repo).qa_verdict?.verdict, 'PASS');

    const pkg = await repo.json<{ approval: { stage: string; by: string } }>('approve', '--stage', 'package');
    assert.equal(pkg.approval.stage, 'package');
    assert.equal(pkg.approval.by, ADA);
    assert.match((await repo.ok('status')).stdout, /Approved/);

    const waive = await repo.run(['waive', '--note', 'just in case']);
    assert.equal(waive.code, 1);
    assert.match(waive.stderr, /QA verdict is PASS: there is nothing to waive/);
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });

  it('waive: an approval of the validate stage with a justification, which then opens the Package gate', async () => {
    const repo = await TempRepo.create();
    configure(repo, [{ name: 'e2e', script: 'process.exit(4)' }]);
    await repo.ok('new', 'Login', '--use');
    await repo.ok('spec');
    await repo.ok('plan');
    await repo.ok('tasks');

    const none = await repo.run(['waive', '--note', 'early']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /has no QA verdict to waive/);

    assert.equal((await repo.run(['validate'])).code, 1);
    assert.equal((await repo.run(['waive'])).code, 2, '--note is required');
    const blank = await repo.run(['waive', '--note', '   ']);
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /a waiver needs a justification/);

    const r = await repo.run(['waive', '--note', 'e2e needs the staging database; run by hand, see #42']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /CH-001: FAIL verdict WAIVED by Ada Tester <ada@example\.invalid>: e2e needs the staging database/);
    const ch = change(repo);
    const failHash = results(repo).policy_hash;
    assert.deepEqual(ch.qa_verdict, { verdict: 'WAIVED', reasons: ['e2e needs the staging database; run by hand, see #42'], by: ADA, at: '2026-11-21T09:00:00.000Z', policy_hash: failHash });
    const approval = ch.approvals.at(-1);
    assert.ok(approval);
    assert.equal(approval.stage, 'validate');
    assert.equal(approval.decision, 'approved');
    assert.equal(approval.by, ADA);
    assert.equal(approval.note, 'e2e needs the staging database; run by hand, see #42');
    assert.ok(approval.artifacts['tasks.md'], 'the approval covers what the validate stage covers');

    const waived = eventsOf(repo, 'qa.verdict').at(-1);
    assert.deepEqual(waived?.payload, { verdict: 'WAIVED', reasons: ['e2e needs the staging database; run by hand, see #42'], policy_hash: failHash, waived: 'FAIL' });
    assert.equal(eventsOf(repo, 'approval.recorded').at(-1)?.correlation_id, waived?.correlation_id);

    const again = await repo.run(['waive', '--note', 'twice']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already WAIVED by Ada Tester/);
    await repo.ok('approve', '--stage', 'package');
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });

  it('a waiver needs a git identity, and the policy in force when the verdict was reached', async () => {
    const repo = await TempRepo.create();
    configure(repo, [{ name: 'unit', script: 'process.exit(1)' }]);
    await repo.ok('new', 'Login', '--use');
    await repo.ok('spec');
    await repo.ok('plan');
    await repo.ok('tasks');
    assert.equal((await repo.run(['validate'])).code, 1);

    const config = repo.path('.dynaforge/config.yaml');
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, `${original}\nqa:\n  defaults:\n    min_tests: 2\n`);
    const changed = await repo.run(['waive', '--note', 'ok']);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /the QA policy changed since CH-001's FAIL verdict/);
    writeFileSync(config, original);

    repo.git('config', '--unset', 'user.name');
    repo.git('config', '--unset', 'user.email');
    const before = snapshot(repo.dir, ['changes', 'tests']);
    const anon = await repo.run(['waive', '--note', 'ok']);
    assert.equal(anon.code, 2);
    assert.match(anon.stderr, /git has no identity here/);
    assert.deepEqual(snapshot(repo.dir, ['changes', 'tests']), before, 'nothing written');
  });

  it('critical: two different approvers, coverage, and a changed test for every affected area', async () => {
    const repo = await TempRepo.create();
    const coverage = (pct: number) => `require("fs").mkdirSync("coverage", { recursive: true });
require("fs").writeFileSync("coverage/coverage-summary.json", JSON.stringify({ total: { lines: { total: 100, covered: ${pct}, pct: ${pct} } } }));`;
    configure(repo, [{ name: 'unit', script: `${JUNIT_3}\n${coverage(85)}`, junit: 'reports/junit.xml' }]);
    mkdirSync(repo.path('src/auth'), { recursive: true });
    writeFileSync(repo.path('src/auth/login.ts'), 'export const login = 1;\n');
    await repo.ok('new', 'Login limits', '--risk', 'critical', '--scope', 'src/auth/login.ts', '--use');
    await repo.ok('approve', '--stage', 'frame');

    const run1 = await repo.run(['--json', 'validate']);
    assert.equal(run1.code, 1);
    const r1 = JSON.parse(run1.stdout);
    assert.equal(r1.verdict, 'CONCERNS');
    assert.deepEqual(r1.reasons, [`the policy needs current approvals by 2 different people; only ${ADA} approved (dynaforge approve)`, 'no test was added or changed for src/auth/login.ts']);

    mkdirSync(repo.path('test/auth'), { recursive: true });
    writeFileSync(repo.path('test/auth/login.test.ts'), 'it("limits", () => {});\n');
    await repo.ok('spec');
    repo.git('config', 'user.name', 'Bob Reviewer');
    repo.git('config', 'user.email', 'bob@example.invalid');
    await repo.ok('approve', '--stage', 'spec');
    const r2 = await repo.run(['--json', 'validate']);
    assert.equal(r2.code, 0, r2.stdout);
    const pass = JSON.parse(r2.stdout);
    assert.equal(pass.verdict, 'PASS');
    const checks = Object.fromEntries(pass.checks.map((c: { rule: string; outcome: string; detail: string }) => [c.rule, `${c.outcome}: ${c.detail}`]));
    assert.equal(checks.approvers, `pass: approved by ${ADA}, Bob Reviewer <bob@example.invalid>`);
    assert.equal(checks.coverage, 'pass: lines 85% (minimum 80%)');
    assert.equal(checks.min_tests, 'pass: 2 test(s) ran (minimum 1)');
    assert.match(checks.tests_changed, /^pass: every affected area has a changed test/);
    assert.equal(change(repo).qa_verdict?.by, 'Bob Reviewer <bob@example.invalid>');
    assert.match(repo.read('changes/CH-001/QA_REPORT.md'), /\| src\/auth\/login\.ts \| test\/auth\/login\.test\.ts \|/);

    configure(repo, [{ name: 'unit', script: `${JUNIT_3}\n${coverage(50)}`, junit: 'reports/junit.xml' }]);
    const low = JSON.parse((await repo.run(['--json', 'validate'])).stdout);
    assert.equal(low.verdict, 'FAIL');
    assert.deepEqual(low.reasons, ['line coverage 50% is under the 80% the policy asks for (coverage/coverage-summary.json)']);
    // The FAIL's own concern is medium, which blocks a PASS at the critical tier until someone resolves it.
    assert.match((await repo.ok('concern', 'list')).stdout, /CH-001\/C-1 +medium +open/);
  });

  it('kills a command at its timeout, keeps secrets out of the records, and refuses a cwd outside the repository', async () => {
    const repo = await TempRepo.create({ env: { DEPLOY_TOKEN: 'very-secret-token-value' } });
    configure(repo, [
      { name: 'leaky', script: 'console.log("token is " + process.env.DEPLOY_TOKEN); console.log("Authorization: Bearer abc.def.ghi");' },
      { name: 'slow', script: 'console.log("waiting"); setTimeout(() => {}, 60000);', timeout_s: 1 },
    ]);
    await repo.ok('new', 'Login', '--use');
    const started = Date.now();
    const r = await repo.run(['--json', 'validate']);
    assert.ok(Date.now() - started < 30_000);
    const out = JSON.parse(r.stdout);
    assert.equal(out.verdict, 'FAIL');
    assert.match(out.reasons[0], /required: slow timed out/);
    const slow = out.commands.find((c: { name: string }) => c.name === 'slow');
    assert.equal(slow.timed_out, true);
    assert.equal(slow.exit, null);
    for (const file of ['tests/results/CH-001.json', 'changes/CH-001/QA_REPORT.md', 'audit/changes/CH-001.jsonl']) {
      const text = repo.read(file);
      assert.ok(!text.includes('very-secret-token-value'), `${file} holds the secret`);
      assert.ok(!text.includes('abc.def.ghi'), `${file} holds the bearer token`);
    }
    assert.match(results(repo).commands[0]?.output_tail ?? '', /token is \*\*\*\nAuthorization: Bearer \*\*\*/);

    const file = repo.path('.dynaforge/config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('- name: leaky\n', '- name: leaky\n    cwd: ../..\n'));
    assert.match(repo.read('.dynaforge/config.yaml'), /cwd: \.\.\/\.\./);
    const before = snapshot(repo.dir, ['changes', 'tests']);
    const bad = await repo.run(['validate']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tests\[leaky\]\.cwd \(\.\.\/\.\.\) leaves the repository/);
    assert.deepEqual(snapshot(repo.dir, ['changes', 'tests']), before, 'nothing ran, nothing written');
  });

  it('without declared tests the verdict is CONCERNS, and a merged change is not validated', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Docs', '--risk', 'low', '--use');
    const r = JSON.parse((await repo.run(['--json', 'validate'])).stdout);
    assert.equal(r.verdict, 'CONCERNS');
    assert.deepEqual(r.reasons, ['no test commands are declared: add them to tests[] in .dynaforge/config.yaml']);
    assert.ok(existsSync(repo.path('tests/results/CH-001.json')));
    assert.equal((await repo.run(['validate', 'CH-009'])).code, 1, 'an unknown change');

    const file = repo.path('changes/CH-001/change.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^status: open$/m, 'status: merged'));
    const before = snapshot(repo.dir, ['changes', 'tests']);
    const merged = await repo.run(['validate']);
    assert.equal(merged.code, 1);
    assert.match(merged.stderr, /CH-001 is merged: its verdict is history/);
    assert.deepEqual(snapshot(repo.dir, ['changes', 'tests']), before);
  });
});
