import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertOnlyCommandEventAdded, cliSuite, commitAll, snapshot, TempRepo, type AuditLine, type CliResult } from './cliHarness';

interface Finding {
  kind: string;
  severity: 'error' | 'warning' | 'note';
  message: string;
  file?: string;
  line?: number;
  fix: string;
  id?: string;
}
interface Report {
  command: string;
  ch_id: string;
  status: 'pass' | 'findings';
  findings: Finding[];
  counts: { error: number; warning: number; note: number };
  inputs: Record<string, string>;
  timestamp: string;
}
interface AnalyzeReport extends Report {
  constitution: { present: boolean; rules: { line: number; text: string; result: string; detail?: string }[] };
}
interface ChecklistReport extends Report {
  checklist: { file: string; done: number; total: number; items: { id?: string; mode: string; checked: boolean; line: number }[] };
}
interface ClarifyReport extends Report {
  questions: { id: string; line: number; status: string; text: string; answer_line?: number }[];
  answered?: { question: string; line: number; entry_line: number; stale_approvals: { stage: string; by: string }[] };
}

const CONSTITUTION = `# Constitution

## Principles
1. Every piece of work is a change.
- Every change names a requirement. \`check: has-fr\`
- High-risk changes need an impact analysis. \`check: has-file impact.md when risk >= high\`
- Acceptance criteria name their tests. \`check: criteria-tested\`
`;

const SPEC_BODY = `# CH-001 spec: Login

## Requirements

### FR-1: Users log in
Login must be fast.

## Acceptance criteria
- A user logs in with the right password (TC-1)
- A wrong password is refused
- Five failures lock the account (TC-5)

Who owns FR-2?

## Clarifications
`;

function write(repo: TempRepo, rel: string, text: string): void {
  mkdirSync(dirname(repo.path(rel)), { recursive: true });
  writeFileSync(repo.path(rel), text);
}

/** Replaces the body of CH-001's spec.md (below its front matter). */
function setSpecBody(repo: TempRepo, body: string): void {
  const text = repo.read('changes/CH-001/spec.md');
  const end = text.indexOf('\n---\n', 4) + 5;
  writeFileSync(repo.path('changes/CH-001/spec.md'), text.slice(0, end) + body);
}

/** A project with requirements, a test, a constitution with checkable rules, and CH-001 with a spec. */
async function project(opts: { risk?: string } = {}): Promise<TempRepo> {
  const repo = await TempRepo.create();
  write(repo, 'docs/requirements/auth.md', '# Auth\n\n## FR-1: Users log in\n\n## FR-2: Lockout\n');
  write(repo, 'test/login.test.ts', "it('TC-1 FR-1 logs in with the right password', () => {});\n");
  write(repo, '.dynaforge/memory/constitution.md', CONSTITUTION);
  commitAll(repo.dir, 'base');
  await repo.ok('new', 'Login', '--fr', 'FR-1', 'FR-9', ...(opts.risk ? ['--risk', opts.risk] : []));
  await repo.ok('spec', 'CH-001');
  setSpecBody(repo, SPEC_BODY);
  return repo;
}

function parse<T>(r: CliResult): T & { ok: boolean } {
  return JSON.parse(r.stdout) as T & { ok: boolean };
}

/** The events of one run (by correlation id), in the change's stream. */
function runEvents(repo: TempRepo, correlation: string): AuditLine[] {
  return repo.auditEvents().filter((e) => e.correlation_id === correlation);
}

function lastCommandEvent(repo: TempRepo, name: string): AuditLine {
  const all = repo.auditEvents().filter((e) => e.type === 'command' && e.ch_id === 'CH-001' && e.payload.name === name);
  return all[all.length - 1] as AuditLine;
}

/** The written report equals what --json printed, minus the CLI's `ok`. */
function assertPrintedIsWritten(repo: TempRepo, r: CliResult, command: string): void {
  const { ok, ...printed } = parse<Record<string, unknown>>(r);
  assert.equal(ok, true);
  assert.deepEqual(printed, JSON.parse(repo.read(`artifacts/analyze/CH-001/${command}.json`)));
}

describe('cli: analyze, checklist, clarify', () => {
  cliSuite();

  it('analyze reports unmapped and undefined requirements, untested criteria and constitution rules, and gates on them', async () => {
    const repo = await project({ risk: 'high' });
    const r = await repo.run(['--json', 'analyze', 'CH-001']);
    assert.equal(r.code, 1, r.stderr);
    const report = parse<AnalyzeReport>(r);
    assert.equal(report.status, 'findings');
    assert.equal(report.timestamp, '2026-11-21T09:00:00.000Z');
    const by = (kind: string) => report.findings.filter((f) => f.kind === kind).map((f) => `${f.severity} ${f.id ?? ''} ${f.file}:${f.line ?? ''}`.replace(/ {2}/, ' '));
    assert.deepEqual(by('fr-undefined'), ['warning FR-9 changes/CH-001/change.yaml:9']);
    assert.deepEqual(by('fr-unmapped'), ['warning FR-2 changes/CH-001/spec.md:20']);
    assert.deepEqual(by('ac-untested'), ['warning changes/CH-001/spec.md:17']);
    assert.deepEqual(by('ac-unknown-tc'), ['warning TC-5 changes/CH-001/spec.md:18']);
    assert.deepEqual(by('fr-untested'), [], 'FR-1 is verified by TC-1');
    assert.deepEqual(by('constitution-rule'), ['error .dynaforge/memory/constitution.md:6', 'error .dynaforge/memory/constitution.md:7']);
    assert.match(report.findings.find((f) => f.kind === 'constitution-rule' && f.line === 6)?.message ?? '', /impact\.md is missing/);
    assert.equal(report.findings.find((f) => f.line === 6)?.fix, 'dynaforge impact CH-001');
    assert.deepEqual(
      report.constitution.rules.map((x) => [x.line, x.result]),
      [[4, 'manual'], [5, 'pass'], [6, 'fail'], [7, 'fail']],
      'the prose rule is listed as not mechanically checkable',
    );
    assert.equal(report.counts.error, 2);
    assert.ok(report.findings.every((f) => f.fix.length > 0));
    assertPrintedIsWritten(repo, r, 'analyze');

    const md = repo.read('artifacts/analyze/CH-001/analyze.md');
    assert.match(md, /^# analyze CH-001: Login\n/);
    assert.match(md, /- \*\*warning\*\* `fr-undefined` changes\/CH-001\/change\.yaml:9: FR-9 is in scope\.frs but no trace source defines it\n {2}- fix: /);
    assert.match(md, /Not mechanically checkable \(1\)[^\n]*\n\n- \.dynaforge\/memory\/constitution\.md:4 Every piece of work is a change\./);

    // One analysis.recorded event plus the command event, in the change's stream.
    const cmd = lastCommandEvent(repo, 'analyze');
    const events = runEvents(repo, cmd.correlation_id);
    assert.deepEqual(events.map((e) => [e.type, e.file]), [['analysis.recorded', 'audit/changes/CH-001.jsonl'], ['command', 'audit/changes/CH-001.jsonl']]);
    const payload = events[0]?.payload as { command: string; status: string; counts: unknown; inputs: Record<string, string>; outputs: Record<string, string> };
    assert.equal(payload.command, 'analyze');
    assert.deepEqual(payload.counts, report.counts);
    assert.deepEqual(Object.keys(payload.inputs), ['.dynaforge/memory/constitution.md', 'changes/CH-001/change.yaml', 'changes/CH-001/spec.md']);
    assert.deepEqual(Object.keys(payload.outputs), ['artifacts/analyze/CH-001/analyze.json', 'artifacts/analyze/CH-001/analyze.md']);
    assert.equal(cmd.payload.exit_code, 1);

    // Human output: file:line, message and fix.
    const human = await repo.run(['analyze', 'CH-001']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^analyze CH-001: findings \(2 errors, 4 warnings, \d+ notes\)$/m);
    assert.match(human.stdout, /warning changes\/CH-001\/spec\.md:18: acceptance criterion names TC-5, which no test source contains \[ac-unknown-tc\]\n {10}fix: write the test with TC-5/);
    assert.match(human.stdout, /Constitution: 3 rules checked \(1 pass, 2 fail, 0 not applicable, 0 invalid\); 1 not mechanically checkable/);
    await repo.ok('audit', 'verify');
  });

  it('analyze passes (exit 0) once the change is consistent, and writes byte-identical reports for the same inputs', async () => {
    const repo = await project({ risk: 'high' });
    write(repo, 'test/lockout.test.ts', "it('TC-5 FR-1 locks the account after five failures', () => {});\nit('TC-6 FR-1 refuses a wrong password', () => {});\n");
    const yaml = repo.read('changes/CH-001/change.yaml').replace('    - FR-9\n', '');
    writeFileSync(repo.path('changes/CH-001/change.yaml'), yaml);
    setSpecBody(repo, SPEC_BODY.replace('Who owns FR-2?\n', '').replace('A wrong password is refused', 'A wrong password is refused (TC-6)'));
    await repo.ok('impact', 'CH-001');
    const first = await repo.run(['analyze', 'CH-001']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /^analyze CH-001: pass \(0 errors, 0 warnings, /m);
    const before = snapshot(repo.dir, ['artifacts']);
    const again = await repo.json<AnalyzeReport>('analyze', 'CH-001');
    assert.equal(again.status, 'pass');
    assert.deepEqual(again.findings.map((f) => f.severity), again.findings.map(() => 'note'), 'only notes remain');
    const after = snapshot(repo.dir, ['artifacts']);
    assert.deepEqual([...after.keys()].sort(), ['artifacts/analyze/CH-001/analyze.json', 'artifacts/analyze/CH-001/analyze.md']);
    for (const [k, v] of before) assert.ok(v.equals(after.get(k) as Buffer), `${k} is byte-identical`);
  });

  it('analyze reports stale evidence and open concerns by severity', async () => {
    const repo = await project();
    const commitA = (text: string) => {
      write(repo, 'src/a.ts', text);
      repo.git('add', 'src/a.ts');
      repo.git('commit', '-q', '-m', `a: ${text}`);
    };
    commitA('one\n');
    await repo.ok('capture', '--from', 'HEAD~1', '--into', 'CH-001');
    commitA('two\n');
    await repo.ok('concern', 'raise', '-c', 'CH-001', '--severity', 'high', 'no rate limit');
    await repo.ok('concern', 'raise', '-c', 'CH-001', '--severity', 'low', 'naming');
    const r = await repo.run(['--json', 'analyze', 'CH-001']);
    const report = parse<AnalyzeReport>(r);
    const stale = report.findings.filter((f) => f.kind === 'evidence-stale');
    assert.deepEqual(stale.map((f) => [f.severity, f.file, f.id]), [['warning', 'src/a.ts', 'evidence.json#E-1']]);
    assert.match(stale[0]?.message ?? '', /src\/a\.ts changed after evidence\.json#E-1 was taken/);
    const concerns = report.findings.filter((f) => f.kind === 'concern-open').map((f) => [f.id, f.severity, f.file]);
    assert.deepEqual(concerns, [['C-1', 'error', 'audit/changes/CH-001.jsonl'], ['C-2', 'note', 'audit/changes/CH-001.jsonl']]);
  });

  it('checklist writes checklist.md, keeps the ticks a person made, re-evaluates auto items and reports completion', async () => {
    const repo = await project();
    const r1 = await repo.run(['--json', 'checklist', 'CH-001']);
    assert.equal(r1.code, 1);
    const c1 = parse<ChecklistReport>(r1);
    assertPrintedIsWritten(repo, r1, 'checklist');
    assert.equal(c1.checklist.file, 'changes/CH-001/checklist.md');
    assert.equal(c1.checklist.total, 13);
    const auto = Object.fromEntries(c1.checklist.items.filter((i) => i.mode === 'auto').map((i) => [i.id, i.checked]));
    assert.deepEqual(auto, { 'scope-frs': true, 'frs-defined': false, 'frs-tested': false, acceptance: true, 'criteria-tested': false, 'no-ambiguity': false, 'risk-impact': true, 'no-blocking-concerns': true });
    assert.equal(c1.checklist.done, 4);
    let md = repo.read('changes/CH-001/checklist.md');
    assert.match(md, /^Completion: 4 of 13$/m);
    assert.match(md, /^- \[ \] `no-ambiguity` \(auto\) No ambiguity markers or open questions are left in the spec — 2 open \(Q-1, Q-2\)$/m);
    assert.deepEqual(c1.findings.filter((f) => f.kind === 'checklist-manual').length, 5);

    // The person ticks a manual item and adds a line and an item of their own.
    md = md.replace('- [ ] `nfr-stated` (manual)', '- [x] `nfr-stated` (manual)').concat('\nNotes: reviewed with Bo.\n- [x] Threat model done\n');
    writeFileSync(repo.path('changes/CH-001/checklist.md'), md);
    assert.equal((await repo.run(['clarify', 'CH-001', '--answer', 'Q-1', 'p95 under 200 ms'])).code, 1, 'Q-2 is still open');
    assert.equal((await repo.run(['clarify', 'CH-001', '--answer', 'Q-2', 'The auth team'])).code, 0);
    const c2 = parse<ChecklistReport>(await repo.run(['--json', 'checklist', 'CH-001']));
    const md2 = repo.read('changes/CH-001/checklist.md');
    assert.match(md2, /^- \[x\] `nfr-stated` \(manual\)/m, 'the tick is kept');
    assert.match(md2, /^- \[x\] `no-ambiguity` \(auto\) .* — none open$/m, 're-evaluated');
    assert.match(md2, /^Notes: reviewed with Bo\.$/m);
    assert.match(md2, /^Completion: 7 of 14$/m);
    assert.deepEqual([c2.checklist.done, c2.checklist.total], [7, 14]);
    const cmd = lastCommandEvent(repo, 'checklist');
    const recorded = runEvents(repo, cmd.correlation_id).find((e) => e.type === 'analysis.recorded');
    assert.deepEqual(recorded?.payload.checklist, { done: 7, total: 14 });
    assert.ok((recorded?.payload.outputs as Record<string, string>)['changes/CH-001/checklist.md']);

    const human = await repo.run(['checklist', 'CH-001']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^changes\/CH-001\/checklist\.md unchanged: 7 of 14 done$/m);
    assert.match(human.stdout, /changes\/CH-001\/checklist\.md:\d+: not ticked: The spec was read by the people who asked for the change \[checklist-manual\]/);
  });

  it('checklist passes (exit 0) when every item is ticked', async () => {
    const repo = await project();
    write(repo, 'test/more.test.ts', "it('TC-5 FR-1 locks', () => {});\nit('TC-6 FR-1 refuses', () => {});\n");
    writeFileSync(repo.path('changes/CH-001/change.yaml'), repo.read('changes/CH-001/change.yaml').replace('    - FR-9\n', ''));
    setSpecBody(repo, SPEC_BODY.replace('Who owns FR-2?\n', '').replace('Login must be fast.', 'Login takes under 200 ms.').replace('is refused', 'is refused (TC-6)'));
    assert.equal((await repo.run(['checklist', 'CH-001'])).code, 1, 'the manual items are not ticked yet');
    writeFileSync(repo.path('changes/CH-001/checklist.md'), repo.read('changes/CH-001/checklist.md').replaceAll('- [ ] `', '- [x] `'));
    const r = await repo.json<ChecklistReport>('checklist', 'CH-001');
    assert.equal(r.status, 'pass');
    assert.deepEqual([r.checklist.done, r.checklist.total], [13, 13]);
  });

  it('clarify lists markers and questions with ids, records an answer in Clarifications, and says the spec approval is stale', async () => {
    const repo = await project();
    const r1 = await repo.run(['--json', 'clarify', 'CH-001']);
    assert.equal(r1.code, 1);
    const c1 = parse<ClarifyReport>(r1);
    assertPrintedIsWritten(repo, r1, 'clarify');
    assert.deepEqual(c1.questions.map((q) => [q.id, q.line, q.status, q.text]), [
      ['Q-1', 13, 'open', 'Login must be fast.'],
      ['Q-2', 20, 'open', 'Who owns FR-2?'],
    ]);
    assert.deepEqual(c1.findings.map((f) => [f.kind, f.id, f.line]), [['vague-term', 'Q-1', 13], ['open-question', 'Q-2', 20]]);

    await repo.ok('approve', 'CH-001', '--stage', 'frame');
    await repo.ok('approve', 'CH-001', '--stage', 'spec');
    const r2 = await repo.run(['clarify', 'CH-001', '--answer', 'q1', 'p95 under\n200 ms']);
    assert.equal(r2.code, 1, 'Q-2 is still open');
    assert.match(r2.stdout, /^Recorded the answer to Q-1 in changes\/CH-001\/spec\.md:24 \(Clarifications\); line 13 is tagged \(clarified: Q-1\)$/m);
    assert.match(r2.stdout, /approvals are now stale — intended: review, then re-approve \(dynaforge approve CH-001 --stage spec\): spec by Ada Tester <ada@example\.invalid>/);
    assert.match(r2.stdout, /^Questions: 1 open \(Q-2\), 1 answered$/m);
    const spec = repo.read('changes/CH-001/spec.md').split('\n');
    assert.equal(spec[12], 'Login must be fast. (clarified: Q-1)');
    assert.equal(spec[23], '- **Q-1** (2026-11-21, Ada Tester <ada@example.invalid>): Login must be fast. → p95 under 200 ms');
    const status = await repo.json<{ blockers: string[] }>('status', 'CH-001');
    assert.ok(status.blockers.some((b) => /spec approval .* is stale/.test(b)), status.blockers.join('\n'));

    const cmd = lastCommandEvent(repo, 'clarify');
    const recorded = runEvents(repo, cmd.correlation_id).find((e) => e.type === 'analysis.recorded');
    assert.deepEqual(recorded?.payload.answered, { question: 'Q-1', file: 'changes/CH-001/spec.md', line: 24 });
    assert.ok((recorded?.payload.outputs as Record<string, string>)['changes/CH-001/spec.md']);

    const r3 = await repo.run(['--json', 'clarify', '--answer', 'Q-2', 'The auth team']); // the change id is optional with an active one
    assert.equal(r3.code, 2, 'no active change: usage error');
    await repo.ok('use', 'CH-001');
    const c3 = await repo.json<ClarifyReport>('clarify', '--answer', 'Q-2', 'The auth team');
    assert.equal(c3.status, 'pass');
    assert.deepEqual(c3.questions.map((q) => [q.id, q.status, q.answer_line]), [['Q-1', 'answered', 24], ['Q-2', 'answered', 25]]);
    assert.deepEqual(c3.answered?.stale_approvals, [], 'the spec approval was already stale');
    assert.equal((await repo.run(['clarify'])).code, 0);
    await repo.ok('audit', 'verify');
  });

  it('refuses an unknown or answered question, a missing answer, a missing spec and broken front matter, losing nothing', async () => {
    const repo = await project();
    const stream = 'audit/changes/CH-001.jsonl';
    const refused = async (args: string[], code: number, pattern: RegExp, where = stream) => {
      const before = snapshot(repo.dir);
      const r = await repo.run(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /\n {2}fix: /);
      assertOnlyCommandEventAdded(repo, before, code, where);
    };
    await refused(['clarify', 'CH-001', '--answer', 'Q-9', 'x'], 1, /changes\/CH-001\/spec\.md has no question Q-9 \(open questions: Q-1, Q-2\)/);
    await refused(['clarify', 'CH-001', '--answer', 'C-1', 'x'], 2, /"C-1" is not a question id/);
    await refused(['clarify', 'CH-001', '--answer', 'Q-1'], 2, /the answer to Q-1 is missing/);
    await refused(['clarify', 'CH-001', '--answer', 'Q-1', '  '], 2, /the answer is empty/);
    await refused(['clarify', 'CH-001', '--answer', 'Q-1', 'two', 'words'], 2, /the answer must be one argument/);
    await refused(['clarify', 'CH-001', 'CH-002'], 2, /clarify takes one change id/);
    assert.equal((await repo.run(['clarify', 'CH-001', '--answer', 'Q-1', 'p95 under 200 ms'])).code, 1);
    await refused(['clarify', 'CH-001', '--answer', 'Q-1', 'again'], 1, /Q-1 is already answered in changes\/CH-001\/spec\.md:24/);

    const spec = repo.read('changes/CH-001/spec.md');
    writeFileSync(repo.path('changes/CH-001/spec.md'), spec.replace('  artifact: spec', '  artifact: [spec'));
    for (const cmd of ['analyze', 'checklist', 'clarify']) await refused([cmd, 'CH-001'], 1, /changes\/CH-001\/spec\.md:\d+:\d+: malformed YAML/);
    await refused(['clarify', 'CH-001', '--answer', 'Q-2', 'x'], 1, /changes\/CH-001\/spec\.md:\d+:\d+: malformed YAML/);

    await repo.ok('new', 'No spec yet');
    for (const cmd of ['analyze', 'checklist', 'clarify']) {
      await refused([cmd, 'CH-002'], 1, new RegExp(`${cmd} needs a spec, and CH-002 has none \\(no changes/CH-002/spec\\.md\\)\\n {2}fix: create it with \`dynaforge spec CH-002\``), 'audit/changes/CH-002.jsonl');
    }
    assert.equal(repo.auditEvents().filter((e) => e.type === 'command').length, repo.history.length, 'one command event per run, refused ones included');
  });

  it('gives byte-identical reports in two fresh repositories under a frozen clock', async () => {
    const outputs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const repo = await project({ risk: 'high' });
      await repo.run(['analyze', 'CH-001']);
      await repo.run(['checklist', 'CH-001']);
      await repo.run(['clarify', 'CH-001', '--answer', 'Q-1', 'p95 under 200 ms']);
      outputs.push(['analyze.json', 'analyze.md', 'checklist.json', 'checklist.md', 'clarify.json', 'clarify.md'].map((f) => repo.read(`artifacts/analyze/CH-001/${f}`)).concat(repo.read('changes/CH-001/checklist.md'), repo.read('changes/CH-001/spec.md')));
    }
    assert.deepEqual(outputs[0], outputs[1]);
  });
});
