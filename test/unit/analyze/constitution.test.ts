import { strict as assert } from 'node:assert';
import { CHECKS } from '../../../src/core/analyze/checks';
import { conditionHolds, evaluateConstitution, parseCheck, parseConstitution } from '../../../src/core/analyze/constitution';
import { countFindings, sortFindings, statusOf, type Finding } from '../../../src/core/analyze/findings';
import { parseDoc } from '../../../src/core/analyze/markdown';
import { facts } from './factsFixture';

const CONSTITUTION = [
  '# Constitution', //                                                                       1
  '', //                                                                                     2
  'Intro prose is not a rule.', //                                                           3
  '## Principles', //                                                                        4
  '1. Every piece of work is a change.', //                                                  5
  '- Every change names a requirement. `check: has-fr`', //                                  6
  '- High-risk changes need an impact analysis. `check: has-file impact.md when risk >= high`', // 7
  '- Mature changes are tested. `check: frs-tested when maturity >= m3`', //                 8
  '- Typo here. `check: has-frs`', //                                                        9
  '<!-- - a commented-out rule `check: has-tc` -->', //                                      10
  'A prose line with a check: `check: no-ambiguity`', //                                     11
  '```', //                                                                                  12
  '- example in a code block `check: has-tc`', //                                           13
  '```', //                                                                                  14
].join('\n');

describe('analyze: constitution rules', () => {
  it('reads list items as rules, with or without a check span, and skips comments and code', () => {
    const rules = parseConstitution(parseDoc(CONSTITUTION));
    assert.deepEqual(
      rules.map((r) => [r.line, r.text, r.check?.name ?? null, r.invalid ?? null]),
      [
        [5, 'Every piece of work is a change.', null, null],
        [6, 'Every change names a requirement.', 'has-fr', null],
        [7, 'High-risk changes need an impact analysis.', 'has-file', null],
        [8, 'Mature changes are tested.', 'frs-tested', null],
        [9, 'Typo here.', null, `unknown check "has-frs": use one of ${Object.keys(CHECKS).join(', ')}`],
        [11, 'A prose line with a check:', 'no-ambiguity', null],
      ],
    );
    assert.deepEqual(rules[2]?.check, { name: 'has-file', arg: 'impact.md', when: { field: 'risk', op: '>=', value: 'high' }, source: 'check: has-file impact.md when risk >= high' });
    assert.deepEqual(rules[3]?.check?.when, { field: 'maturity', op: '>=', value: 'M3' });
  });

  it('explains every malformed check', () => {
    const err = (s: string) => {
      const r = parseCheck(s);
      return 'error' in r ? r.error : 'parsed';
    };
    assert.match(err(''), /names nothing/);
    assert.match(err('constructor'), /unknown check "constructor"/, 'no prototype keys');
    assert.match(err('has-file'), /needs a file name/);
    assert.match(err('has-file secrets.txt'), /cannot check "secrets.txt"/);
    assert.match(err('has-fr FR-1'), /takes no argument/);
    assert.match(err('has-file plan.md extra'), /unexpected "extra"/);
    assert.match(err('has-fr when risk'), /not a condition/);
    assert.match(err('has-fr when size > 3'), /cannot condition on "size"/);
    assert.match(err('has-fr when risk >= huge'), /risk huge is not one of low, medium, high, critical/);
    assert.match(err('has-fr when origin > code'), /origin has no order/);
    assert.equal(err('has-fr when origin != code'), 'parsed');
  });

  it('compares risk and maturity by their order', () => {
    const change = facts({ risk: 'high', maturity: 'M2', origin: 'code' }).change;
    const holds = (field: 'risk' | 'maturity' | 'origin', op: '=' | '!=' | '>=' | '<=' | '>' | '<', value: string) => conditionHolds({ field, op, value }, change);
    assert.deepEqual([holds('risk', '>=', 'high'), holds('risk', '>', 'high'), holds('risk', '<', 'critical'), holds('risk', '=', 'medium'), holds('risk', '<=', 'low')], [true, false, true, false, false]);
    assert.deepEqual([holds('maturity', '>=', 'M3'), holds('maturity', '!=', 'M3'), holds('origin', '=', 'code')], [false, true, true]);
  });

  it('evaluates each rule for a change: pass, fail, not applicable, manual, invalid', () => {
    const rules = parseConstitution(parseDoc(CONSTITUTION));
    const low = evaluateConstitution(rules, facts({ frs: ['FR-1'], risk: 'low' }));
    assert.deepEqual(low.map((r) => [r.line, r.result]), [[5, 'manual'], [6, 'pass'], [7, 'not-applicable'], [8, 'not-applicable'], [9, 'invalid'], [11, 'pass']]);
    const high = evaluateConstitution(rules, facts({ risk: 'critical', maturity: 'M4', spec: 'Is it TBD?\n' }));
    assert.deepEqual(high.map((r) => [r.line, r.result, r.detail ?? '']), [
      [5, 'manual', ''],
      [6, 'fail', 'scope.frs is empty'],
      [7, 'fail', 'impact.md is missing'],
      [8, 'fail', 'scope.frs is empty'],
      [9, 'invalid', high[4]?.detail ?? ''],
      [11, 'fail', '1 open (Q-1)'],
    ]);
  });

  it('derives status and counts from findings, sorted like compiler output', () => {
    const f = (severity: Finding['severity'], file: string | undefined, line: number | undefined, kind = 'k'): Finding => ({ kind, severity, message: 'm', fix: 'x', ...(file ? { file } : {}), ...(line ? { line } : {}) });
    const all = [f('note', undefined, undefined), f('warning', 'b.md', 2), f('error', 'a.md', 10), f('note', 'a.md', 2, 'z'), f('error', 'a.md', 2, 'a')];
    assert.deepEqual(sortFindings(all).map((x) => `${x.file ?? '-'}:${x.line ?? 0}:${x.severity}`), ['a.md:2:error', 'a.md:2:note', 'a.md:10:error', 'b.md:2:warning', '-:0:note']);
    assert.deepEqual(countFindings(all), { error: 2, warning: 1, note: 2 });
    assert.equal(statusOf(all), 'findings');
    assert.equal(statusOf([f('note', 'a', 1)]), 'pass');
    assert.equal(statusOf([]), 'pass');
  });
});
