import { canonicalJson, sha256 } from '../canonical';
import type { Change } from '../schema/change';
import type { Config, QaRuleConfig } from '../schema/config';

/** The QA rules in force for one change: `qa.defaults` with every matching `qa.rules[]` entry laid over it. */
export interface QaRules {
  readonly required: 'all' | readonly string[];
  readonly min_tests: number;
  readonly coverage_min: number;
  readonly approvers: number;
  readonly tests_changed: boolean;
  readonly blocking_concern: 'low' | 'medium' | 'high' | 'critical' | 'none';
  readonly fresh_evidence: boolean;
}

/**
 * Everything a verdict depends on besides the facts: the rules for the change's risk tier and
 * maturity, the commands, and where coverage and tests are looked for. Its hash is logged
 * with every verdict, so a verdict can be told apart from one reached under other rules.
 */
export interface QaPolicy {
  readonly risk_tier: Change['risk_tier'];
  readonly maturity_level: Change['maturity_level'];
  readonly rules: QaRules;
  readonly commands: Config['tests'];
  readonly coverage_summary: string;
  readonly test_globs: readonly string[];
  readonly untested_globs: readonly string[];
  readonly base?: string;
}

function applies(rule: QaRuleConfig, change: Pick<Change, 'risk_tier' | 'maturity_level'>): boolean {
  return (!rule.risk || rule.risk.includes(change.risk_tier)) && (!rule.maturity || rule.maturity.includes(change.maturity_level));
}

/** The policy for `change` under `config`. */
export function resolvePolicy(config: Config, change: Pick<Change, 'risk_tier' | 'maturity_level'>): QaPolicy {
  let rules: QaRules = { ...config.qa.defaults };
  for (const rule of config.qa.rules.filter((r) => applies(r, change))) {
    const { risk: _risk, maturity: _maturity, ...set } = rule;
    rules = { ...rules, ...Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined)) };
  }
  return {
    risk_tier: change.risk_tier,
    maturity_level: change.maturity_level,
    rules,
    commands: config.tests,
    coverage_summary: config.qa.coverage_summary,
    test_globs: config.qa.test_globs,
    untested_globs: config.qa.untested_globs,
    ...(config.qa.base ? { base: config.qa.base } : {}),
  };
}

/** sha256 of the policy's canonical JSON: the same policy always gives the same hash, whatever the key order in config.yaml. */
export function policyHash(policy: QaPolicy): string {
  return sha256(canonicalJson(policy));
}
