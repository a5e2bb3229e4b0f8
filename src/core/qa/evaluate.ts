import type { CommandResult } from '../tester/runner';
import type { QaPolicy } from './policy';
import type { TestsChanged } from './areas';

export type QaOutcome = 'pass' | 'concerns' | 'fail' | 'off';
export type Verdict = 'PASS' | 'CONCERNS' | 'FAIL' | 'WAIVED';

/** One rule of the policy applied: what it found, and whether that blocks a PASS. */
export interface QaCheck {
  readonly rule: 'commands' | 'min_tests' | 'coverage' | 'approvers' | 'concerns' | 'fresh_evidence' | 'tests_changed';
  readonly outcome: QaOutcome;
  readonly detail: string;
}

export interface Coverage {
  readonly file: string;
  /** `total.lines.pct`; absent when the file could not be used (`note` says why). */
  readonly lines_pct?: number;
  readonly note?: string;
}

/** What the Tester found, the inputs of the policy. */
export interface QaFacts {
  readonly results: readonly CommandResult[];
  /** Absent when the coverage summary does not exist. */
  readonly coverage?: Coverage;
  /** Different people whose latest approval of a stage (or sub-scope) is current. */
  readonly approvers: readonly string[];
  readonly concerns: readonly { readonly id: string; readonly severity: 'low' | 'medium' | 'high' | 'critical'; readonly status: 'open' | 'acknowledged' | 'resolved' }[];
  readonly staleEvidence: readonly { readonly path: string; readonly evidence: string }[];
  readonly testsChanged: TestsChanged;
}

export interface Evaluation {
  readonly verdict: Exclude<Verdict, 'WAIVED'>;
  /** Why it is not a PASS (the detail of every failing or concerning check); empty for PASS. */
  readonly reasons: readonly string[];
  readonly checks: readonly QaCheck[];
}

const SEVERITY_RANK = { low: 1, medium: 2, high: 3, critical: 4 } as const;

/** Whether a command's run failed: a non-zero exit, a signal, a timeout, or failed tests in its report. */
export function commandFailed(r: CommandResult): boolean {
  return r.exit !== 0 || r.timed_out || (r.counts?.failed ?? 0) > 0;
}

export function describeRun(r: CommandResult): string {
  if (r.timed_out) return `${r.name} timed out`;
  if (r.exit === null) return `${r.name} was killed by ${r.signal ?? 'a signal'}`;
  if (r.exit !== 0) return `${r.name} exited ${r.exit}`;
  if (r.counts && r.counts.failed > 0) return `${r.name} reported ${r.counts.failed} failed test${r.counts.failed > 1 ? 's' : ''}`;
  return `${r.name} passed`;
}

/**
 * Applies `policy` to `facts`: FAIL when a required command failed or is missing, too few
 * tests ran, or coverage is under the threshold; CONCERNS when something else stands in the
 * way of a PASS (a non-required command failed, unknown test counts, approvers missing, a
 * blocking concern, stale evidence, an area without a changed test, no commands at all);
 * otherwise PASS. Pure: the same inputs always give the same evaluation.
 */
export function evaluatePolicy(policy: QaPolicy, facts: QaFacts): Evaluation {
  const rules = policy.rules;
  const checks: QaCheck[] = [commandsCheck(policy, facts.results)];

  const counted = facts.results.filter((r) => r.counts);
  const ran = counted.reduce((n, r) => n + (r.counts ? r.counts.tests - r.counts.skipped : 0), 0);
  if (rules.min_tests <= 0) checks.push({ rule: 'min_tests', outcome: 'off', detail: `${ran} test(s) counted; no minimum` });
  else if (ran >= rules.min_tests) checks.push({ rule: 'min_tests', outcome: 'pass', detail: `${ran} test(s) ran (minimum ${rules.min_tests})` });
  else {
    const uncounted = facts.results.filter((r) => !r.counts).map((r) => r.name);
    checks.push(
      uncounted.length
        ? { rule: 'min_tests', outcome: 'concerns', detail: `${ran} test(s) counted, the policy asks for ${rules.min_tests}, and ${uncounted.join(', ')} report${uncounted.length > 1 ? '' : 's'} no counts: declare junit or tap for ${uncounted.length > 1 ? 'them' : 'it'} in config.yaml tests[]` }
        : { rule: 'min_tests', outcome: 'fail', detail: `${ran} test(s) ran, the policy asks for at least ${rules.min_tests}` },
    );
  }

  const cov = facts.coverage;
  if (rules.coverage_min <= 0) checks.push({ rule: 'coverage', outcome: 'off', detail: cov?.lines_pct !== undefined ? `lines ${cov.lines_pct}% (no threshold)` : 'no threshold' });
  else if (!cov) checks.push({ rule: 'coverage', outcome: 'off', detail: `no coverage summary at ${policy.coverage_summary}; threshold ${rules.coverage_min}% not checked` });
  else if (cov.lines_pct === undefined) checks.push({ rule: 'coverage', outcome: 'concerns', detail: `${cov.file}: ${cov.note ?? 'unusable'}; threshold ${rules.coverage_min}% not checked` });
  else if (cov.lines_pct >= rules.coverage_min) checks.push({ rule: 'coverage', outcome: 'pass', detail: `lines ${cov.lines_pct}% (minimum ${rules.coverage_min}%)` });
  else checks.push({ rule: 'coverage', outcome: 'fail', detail: `line coverage ${cov.lines_pct}% is under the ${rules.coverage_min}% the policy asks for (${cov.file})` });

  const people = [...new Set(facts.approvers)].sort();
  if (rules.approvers <= 0) checks.push({ rule: 'approvers', outcome: 'off', detail: `${people.length} approver(s); none required` });
  else if (people.length >= rules.approvers) checks.push({ rule: 'approvers', outcome: 'pass', detail: `approved by ${people.join(', ')}` });
  else {
    const who = rules.approvers > 1 ? `current approvals by ${rules.approvers} different people` : 'a current approval';
    checks.push({ rule: 'approvers', outcome: 'concerns', detail: `the policy needs ${who}; ${people.length ? `only ${people.join(', ')} approved` : 'there is none'} (dynaforge approve)` });
  }

  if (rules.blocking_concern === 'none') checks.push({ rule: 'concerns', outcome: 'off', detail: 'concerns do not block' });
  else {
    const min = SEVERITY_RANK[rules.blocking_concern];
    const blocking = facts.concerns.filter((c) => c.status !== 'resolved' && SEVERITY_RANK[c.severity] >= min);
    checks.push(
      blocking.length
        ? { rule: 'concerns', outcome: 'concerns', detail: `unresolved concern(s) of severity ${rules.blocking_concern} or above: ${blocking.map((c) => `${c.id} (${c.severity})`).join(', ')} (dynaforge concern resolve)` }
        : { rule: 'concerns', outcome: 'pass', detail: `no unresolved concern of severity ${rules.blocking_concern} or above` },
    );
  }

  if (!rules.fresh_evidence) checks.push({ rule: 'fresh_evidence', outcome: 'off', detail: 'evidence freshness not checked' });
  else if (facts.staleEvidence.length) {
    const list = facts.staleEvidence.map((s) => `${s.path} (${s.evidence})`).join(', ');
    checks.push({ rule: 'fresh_evidence', outcome: 'concerns', detail: `evidence is older than the latest change of ${list}: capture it again (dynaforge capture --into)` });
  } else checks.push({ rule: 'fresh_evidence', outcome: 'pass', detail: 'no evidence is older than the files it recorded' });

  checks.push(testsChangedCheck(rules.tests_changed, facts.testsChanged));

  const verdict = checks.some((c) => c.outcome === 'fail') ? 'FAIL' : checks.some((c) => c.outcome === 'concerns') ? 'CONCERNS' : 'PASS';
  return { verdict, reasons: checks.filter((c) => c.outcome === 'fail' || c.outcome === 'concerns').map((c) => c.detail), checks };
}

function commandsCheck(policy: QaPolicy, results: readonly CommandResult[]): QaCheck {
  const required = policy.rules.required;
  const declared = new Set(policy.commands.map((c) => c.name));
  if (!policy.commands.length && required === 'all') {
    return { rule: 'commands', outcome: 'concerns', detail: 'no test commands are declared: add them to tests[] in .dynaforge/config.yaml' };
  }
  const isRequired = (name: string) => required === 'all' || required.includes(name);
  const undeclared = required === 'all' ? [] : required.filter((n) => !declared.has(n));
  const failedRequired = results.filter((r) => commandFailed(r) && isRequired(r.name));
  const failedOther = results.filter((r) => commandFailed(r) && !isRequired(r.name));
  const problems: string[] = [];
  if (undeclared.length) problems.push(`required command${undeclared.length > 1 ? 's' : ''} ${undeclared.join(', ')} not declared in tests[]`);
  if (failedRequired.length) problems.push(`required: ${failedRequired.map(describeRun).join(', ')}`);
  if (problems.length) return { rule: 'commands', outcome: 'fail', detail: `test commands failed: ${problems.join('; ')}` };
  if (failedOther.length) return { rule: 'commands', outcome: 'concerns', detail: `not required, but failed: ${failedOther.map(describeRun).join(', ')}` };
  return { rule: 'commands', outcome: 'pass', detail: results.length ? `${results.length} command(s) passed: ${results.map((r) => r.name).join(', ')}` : 'no commands to run' };
}

function testsChangedCheck(on: boolean, t: TestsChanged): QaCheck {
  const summary = `${t.tests.length} test file(s) changed`;
  if (!on) return { rule: 'tests_changed', outcome: 'off', detail: `${summary}; not required` };
  if (!t.areas.length) return { rule: 'tests_changed', outcome: 'concerns', detail: 'no affected area to check: the change names no scope paths and no evidence files (set scope.paths or capture the work)' };
  const bare = t.areas.filter((a) => a.tests.length === 0);
  if (bare.length) return { rule: 'tests_changed', outcome: 'concerns', detail: `no test was added or changed for ${bare.map((a) => a.area).join(', ')}` };
  return { rule: 'tests_changed', outcome: 'pass', detail: `every affected area has a changed test (${summary})` };
}
