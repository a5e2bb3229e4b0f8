import { strict as assert } from 'node:assert';
import { parse as parseYaml } from 'yaml';
import { canonicalJson, sha256 } from '../../../src/core/canonical';
import { policyHash, resolvePolicy } from '../../../src/core/qa/policy';
import type { Change } from '../../../src/core/schema/change';
import { ConfigSchema } from '../../../src/core/schema/config';

const at = (risk_tier: Change['risk_tier'], maturity_level: Change['maturity_level'] = 'M2') => ({ risk_tier, maturity_level });
const defaults = ConfigSchema.parse({});

describe('qa: policy', () => {
  it('has sensible defaults per risk tier', () => {
    const rules = (risk: Change['risk_tier']) => resolvePolicy(defaults, at(risk)).rules;
    assert.deepEqual(rules('low'), { required: 'all', min_tests: 0, coverage_min: 0, approvers: 0, tests_changed: false, blocking_concern: 'high', fresh_evidence: true });
    assert.deepEqual(rules('medium'), { required: 'all', min_tests: 0, coverage_min: 0, approvers: 1, tests_changed: false, blocking_concern: 'high', fresh_evidence: true });
    assert.deepEqual(rules('high'), { required: 'all', min_tests: 1, coverage_min: 60, approvers: 1, tests_changed: true, blocking_concern: 'high', fresh_evidence: true });
    assert.deepEqual(rules('critical'), { required: 'all', min_tests: 1, coverage_min: 80, approvers: 2, tests_changed: true, blocking_concern: 'medium', fresh_evidence: true });
  });

  it('relaxes a proof of concept (M0) whatever the tier, but keeps its approvers', () => {
    const r = resolvePolicy(defaults, at('critical', 'M0')).rules;
    assert.deepEqual(r, { required: 'all', min_tests: 0, coverage_min: 0, approvers: 2, tests_changed: false, blocking_concern: 'medium', fresh_evidence: false });
  });

  it('applies configured rules in order over the configured defaults, replacing the default rules', () => {
    const config = ConfigSchema.parse({
      tests: [{ name: 'unit', command: 'npm test' }, { name: 'lint', command: 'npm run lint' }],
      qa: {
        defaults: { approvers: 0, required: ['unit'] },
        rules: [
          { risk: ['high', 'critical'], min_tests: 10 },
          { maturity: ['M4'], coverage_min: 90 },
          { risk: ['critical'], maturity: ['M4'], min_tests: 50, approvers: 3 },
        ],
      },
    });
    assert.deepEqual(resolvePolicy(config, at('high', 'M4')).rules, { required: ['unit'], min_tests: 10, coverage_min: 90, approvers: 0, tests_changed: false, blocking_concern: 'high', fresh_evidence: true });
    assert.deepEqual(resolvePolicy(config, at('critical', 'M4')).rules, { required: ['unit'], min_tests: 50, coverage_min: 90, approvers: 3, tests_changed: false, blocking_concern: 'high', fresh_evidence: true });
    assert.equal(resolvePolicy(config, at('critical', 'M1')).rules.approvers, 0, 'the default critical rule is gone: rules were replaced');
    assert.deepEqual(resolvePolicy(config, at('low')).commands.map((c) => c.name), ['unit', 'lint']);
  });

  it('refuses unknown keys and out-of-range values', () => {
    assert.equal(ConfigSchema.safeParse({ qa: { rules: [{ min_test: 3 }] } }).success, false);
    assert.equal(ConfigSchema.safeParse({ qa: { defaults: { coverage_min: 120 } } }).success, false);
    assert.equal(ConfigSchema.safeParse({ qa: { defaults: { blocking_concern: 'severe' } } }).success, false);
    assert.equal(ConfigSchema.safeParse({ qa: { rules: [{ risk: ['extreme'] }] } }).success, false);
  });

  it('hashes the canonical JSON of the policy: stable across key order, sensitive to every rule', () => {
    const a = ConfigSchema.parse(parseYaml('tests:\n  - name: unit\n    command: npm test\n    timeout_s: 60\nqa:\n  defaults:\n    min_tests: 3\n    approvers: 1\n'));
    const b = ConfigSchema.parse(parseYaml('qa:\n  defaults:\n    approvers: 1\n    min_tests: 3\ntests:\n  - timeout_s: 60\n    command: npm test\n    name: unit\n'));
    const pa = resolvePolicy(a, at('medium'));
    const h = policyHash(pa);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(h, sha256(canonicalJson(pa)));
    assert.equal(policyHash(resolvePolicy(b, at('medium'))), h, 'key order does not matter');
    assert.equal(policyHash(resolvePolicy(a, at('medium'))), h, 'same inputs, same hash');
    assert.notEqual(policyHash(resolvePolicy(a, at('high'))), h, 'another tier is another policy');
    const c = ConfigSchema.parse(parseYaml('tests:\n  - name: unit\n    command: npm test\n    timeout_s: 61\nqa:\n  defaults:\n    min_tests: 3\n    approvers: 1\n'));
    assert.notEqual(policyHash(resolvePolicy(c, at('medium'))), h, 'a command is part of the policy');
  });
});
