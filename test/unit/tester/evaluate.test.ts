import { strict as assert } from 'node:assert';
import { evaluatePolicy, type QaFacts } from '../../../src/core/qa/evaluate';
import { currentApprovers } from '../../../src/core/qa/facts';
import { resolvePolicy, type QaPolicy } from '../../../src/core/qa/policy';
import type { Approval, Change } from '../../../src/core/schema/change';
import { ConfigSchema } from '../../../src/core/schema/config';
import type { CommandResult } from '../../../src/core/tester/runner';

const run = (name: string, exit: number | null, more: Partial<CommandResult> = {}): CommandResult => ({ name, command: `run ${name}`, cwd: '.', exit, timed_out: false, duration_ms: 5, output_tail: '', ...more });
const counts = (tests: number, failed = 0, skipped = 0) => ({ tests, passed: tests - failed - skipped, failed, skipped });

function policy(risk: Change['risk_tier'], qa: Record<string, unknown> = {}, tests = [{ name: 'unit', command: 'npm test' }]): QaPolicy {
  return resolvePolicy(ConfigSchema.parse({ tests, qa }), { risk_tier: risk, maturity_level: 'M2' });
}

/** Facts under which the default medium policy passes. */
function facts(more: Partial<QaFacts> = {}): QaFacts {
  return {
    results: [run('unit', 0)],
    approvers: ['Ada <ada@example.com>'],
    concerns: [],
    staleEvidence: [],
    testsChanged: { tests: ['test/login.test.ts'], areas: [{ area: 'src/login.ts', key: 'login', tests: ['test/login.test.ts'] }] },
    ...more,
  };
}

const outcome = (e: ReturnType<typeof evaluatePolicy>, rule: string) => e.checks.find((c) => c.rule === rule)?.outcome;

describe('qa: evaluatePolicy', () => {
  it('passes when every rule is met, with no reasons', () => {
    const e = evaluatePolicy(policy('medium'), facts());
    assert.equal(e.verdict, 'PASS');
    assert.deepEqual(e.reasons, []);
    assert.deepEqual(e.checks.map((c) => c.rule), ['commands', 'min_tests', 'coverage', 'approvers', 'concerns', 'fresh_evidence', 'tests_changed']);
  });

  it('fails on a failing required command: exit code, timeout, signal, or failed tests in its report', () => {
    for (const r of [run('unit', 1), run('unit', null, { timed_out: true, signal: 'SIGTERM' }), run('unit', null, { signal: 'SIGSEGV' }), run('unit', 0, { counts: counts(4, 1) })]) {
      const e = evaluatePolicy(policy('medium'), facts({ results: [r] }));
      assert.equal(e.verdict, 'FAIL', JSON.stringify(r));
      assert.match(e.reasons[0] ?? '', /required: unit (exited 1|timed out|was killed by SIGSEGV|reported 1 failed test)/);
    }
  });

  it('only concerns for a failing command the policy does not require; fails for a required one not declared', () => {
    const p = policy('medium', { defaults: { required: ['unit', 'e2e'] } }, [{ name: 'unit', command: 'a' }, { name: 'lint', command: 'b' }]);
    const lintFails = evaluatePolicy(p, facts({ results: [run('unit', 0), run('lint', 2)] }));
    assert.equal(outcome(lintFails, 'commands'), 'fail', 'e2e is required but not declared');
    assert.match(lintFails.reasons.join('\n'), /required command e2e not declared/);
    const p2 = policy('medium', { defaults: { required: ['unit'] } }, [{ name: 'unit', command: 'a' }, { name: 'lint', command: 'b' }]);
    const e = evaluatePolicy(p2, facts({ results: [run('unit', 0), run('lint', 2)] }));
    assert.equal(e.verdict, 'CONCERNS');
    assert.match(e.reasons[0] ?? '', /not required, but failed: lint exited 2/);
  });

  it('has concerns when no test command is declared at all', () => {
    const e = evaluatePolicy(policy('medium', {}, []), facts({ results: [] }));
    assert.equal(e.verdict, 'CONCERNS');
    assert.match(e.reasons[0] ?? '', /no test commands are declared/);
  });

  it('minimum test count: fail when counted short, concerns when a command reports no counts', () => {
    const p = policy('medium', { defaults: { min_tests: 5 } });
    assert.equal(evaluatePolicy(p, facts({ results: [run('unit', 0, { counts: counts(7, 0, 3) })] })).verdict, 'FAIL', 'skipped tests do not count: 4 < 5');
    assert.equal(evaluatePolicy(p, facts({ results: [run('unit', 0, { counts: counts(5) })] })).verdict, 'PASS');
    const unknown = evaluatePolicy(p, facts({ results: [run('unit', 0)] }));
    assert.equal(unknown.verdict, 'CONCERNS');
    assert.match(unknown.reasons[0] ?? '', /unit reports no counts: declare junit or tap/);
  });

  it('coverage threshold: checked only when a summary exists', () => {
    const p = policy('medium', { defaults: { coverage_min: 80 } });
    assert.equal(outcome(evaluatePolicy(p, facts()), 'coverage'), 'off');
    assert.equal(evaluatePolicy(p, facts()).verdict, 'PASS');
    const low = evaluatePolicy(p, facts({ coverage: { file: 'coverage/coverage-summary.json', lines_pct: 79.9 } }));
    assert.equal(low.verdict, 'FAIL');
    assert.match(low.reasons[0] ?? '', /line coverage 79\.9% is under the 80%/);
    assert.equal(evaluatePolicy(p, facts({ coverage: { file: 'c.json', lines_pct: 80 } })).verdict, 'PASS');
    assert.equal(evaluatePolicy(p, facts({ coverage: { file: 'c.json', note: 'is not valid JSON' } })).verdict, 'CONCERNS');
  });

  it('critical needs approvals by two different people', () => {
    const p = policy('critical', { defaults: {}, rules: [{ risk: ['critical'], approvers: 2 }] });
    const one = evaluatePolicy(p, facts({ approvers: ['Ada <ada@example.com>'] }));
    assert.equal(one.verdict, 'CONCERNS');
    assert.match(one.reasons[0] ?? '', /current approvals by 2 different people; only Ada <ada@example\.com> approved/);
    assert.equal(evaluatePolicy(p, facts({ approvers: ['Ada <ada@example.com>', 'Ada <ada@example.com>'] })).verdict, 'CONCERNS', 'the same person twice is one person');
    assert.equal(evaluatePolicy(p, facts({ approvers: ['Ada <ada@example.com>', 'Bob <bob@example.com>'] })).verdict, 'PASS');
    assert.equal(evaluatePolicy(policy('low'), facts({ approvers: [] })).verdict, 'PASS', 'low risk needs no approver');
  });

  it('the people counted are those whose latest decision of a stage is a current approval', () => {
    const ap = (stage: Approval['stage'], by: string, more: Partial<Approval> = {}): Approval => ({ stage, decision: 'approved', by, at: '2026-11-21T09:00:00.000Z', artifacts: { 'spec.md': 'a'.repeat(64) }, ...more });
    const now = { 'spec.md': 'a'.repeat(64) };
    const change = { approvals: [ap('frame', 'Ada'), ap('spec', 'Bob'), ap('spec', 'Cy', { decision: 'denied' }), ap('execute', 'Dee', { artifacts: { 'spec.md': 'b'.repeat(64) } }), ap('frame', 'Ada', { sub_scope: 'FR-1' })] } as unknown as Change;
    assert.deepEqual(currentApprovers(change, now), ['Ada'], 'Bob was superseded by a denial, Dee is stale');
  });

  it('an unresolved concern at the blocking severity stands in the way of a PASS', () => {
    const c = (severity: 'low' | 'medium' | 'high' | 'critical', status: 'open' | 'acknowledged' | 'resolved' = 'open') => ({ id: 'C-1', severity, status });
    assert.equal(evaluatePolicy(policy('medium'), facts({ concerns: [c('medium')] })).verdict, 'PASS');
    assert.equal(evaluatePolicy(policy('medium'), facts({ concerns: [c('high')] })).verdict, 'CONCERNS');
    assert.equal(evaluatePolicy(policy('medium'), facts({ concerns: [c('critical', 'acknowledged')] })).verdict, 'CONCERNS', 'acknowledged is not resolved');
    assert.equal(evaluatePolicy(policy('medium'), facts({ concerns: [c('critical', 'resolved')] })).verdict, 'PASS');
    assert.equal(evaluatePolicy(policy('medium', { defaults: { blocking_concern: 'none' } }), facts({ concerns: [c('critical')] })).verdict, 'PASS');
    assert.match(evaluatePolicy(policy('medium'), facts({ concerns: [c('high')] })).reasons[0] ?? '', /C-1 \(high\)/);
  });

  it('stale evidence has concerns, unless the policy does not look', () => {
    const stale = [{ path: 'src/login.ts', evidence: 'evidence.json#E-1' }];
    const e = evaluatePolicy(policy('medium'), facts({ staleEvidence: stale }));
    assert.equal(e.verdict, 'CONCERNS');
    assert.match(e.reasons[0] ?? '', /src\/login\.ts \(evidence\.json#E-1\)/);
    assert.equal(evaluatePolicy(policy('medium', { defaults: { fresh_evidence: false } }), facts({ staleEvidence: stale })).verdict, 'PASS');
  });

  it('tests changed: every affected area needs a changed test when the policy asks', () => {
    const bare = { tests: [], areas: [{ area: 'src/auth/**', key: 'auth', tests: [] }, { area: 'src/login.ts', key: 'login', tests: ['test/login.test.ts'] }] };
    assert.equal(evaluatePolicy(policy('medium'), facts({ testsChanged: bare })).verdict, 'PASS', 'medium does not ask');
    const e = evaluatePolicy(policy('medium', { defaults: { tests_changed: true } }), facts({ testsChanged: bare }));
    assert.equal(e.verdict, 'CONCERNS');
    assert.match(e.reasons[0] ?? '', /no test was added or changed for src\/auth\/\*\*$/);
    assert.equal(evaluatePolicy(policy('medium', { defaults: { tests_changed: true } }), facts({ testsChanged: { tests: [], areas: [] } })).verdict, 'CONCERNS');
  });

  it('FAIL outranks CONCERNS, and every reason is listed', () => {
    const e = evaluatePolicy(policy('medium'), facts({ results: [run('unit', 1)], concerns: [{ id: 'C-2', severity: 'high', status: 'open' }] }));
    assert.equal(e.verdict, 'FAIL');
    assert.equal(e.reasons.length, 2);
  });
});
