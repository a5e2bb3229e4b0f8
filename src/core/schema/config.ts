import { z } from 'zod';
import { MATURITY_LEVELS, RISK_TIERS, STAGES } from './change';

const Gate = z.strictObject({
  /** The stage this gate guards: entering it needs `requires` approved and `verdict` met. */
  stage: z.enum([...STAGES, 'merge']),
  requires: z.array(z.enum(STAGES)).default([]),
  verdict: z.array(z.enum(['PASS', 'CONCERNS', 'FAIL', 'WAIVED'])).optional(),
  /** Limit the gate to some maturity levels / risk tiers; absent means all. */
  maturity: z.array(z.enum(MATURITY_LEVELS)).optional(),
  risk: z.array(z.enum(RISK_TIERS)).optional(),
});

const TestCommand = z.strictObject({
  name: z.string().min(1),
  command: z.string().min(1),
  cwd: z.string().default('.'),
  timeout_s: z.number().positive().default(600),
  junit: z.string().optional(),
  tap: z.string().optional(),
});

const TraceSource = z.strictObject({
  kind: z.enum(['fr', 'ws', 'tc']),
  globs: z.array(z.string().min(1)).min(1),
  pattern: z.string().min(1),
});

export type GateConfig = z.infer<typeof Gate>;

/** What a QA rule may set; a key it leaves out keeps the value from `qa.defaults` or an earlier rule. */
const QaRuleFields = {
  /** Names of `tests[]` commands that must pass (a failure is FAIL); `all`: every declared one. Others failing is CONCERNS. */
  required: z.union([z.literal('all'), z.array(z.string().min(1))]),
  /** Tests run (not skipped), summed over the counts the JUnit / TAP files report. */
  min_tests: z.number().int().nonnegative(),
  /** Lines covered, in percent, when the coverage summary exists; 0 means no threshold. */
  coverage_min: z.number().min(0).max(100),
  /** Different people with a current approval of the change. */
  approvers: z.number().int().nonnegative(),
  /** Every affected area (scope path) gained or changed a test. */
  tests_changed: z.boolean(),
  /** An unresolved concern at least this severe blocks a PASS; `none`: concerns never do. */
  blocking_concern: z.enum(['low', 'medium', 'high', 'critical', 'none']),
  /** Evidence older than the latest commit of a file it recorded blocks a PASS. */
  fresh_evidence: z.boolean(),
};

const QaRule = z.strictObject({
  /** Apply only at these risk tiers / maturity levels; absent means all. */
  risk: z.array(z.enum(RISK_TIERS)).optional(),
  maturity: z.array(z.enum(MATURITY_LEVELS)).optional(),
  required: QaRuleFields.required.optional(),
  min_tests: QaRuleFields.min_tests.optional(),
  coverage_min: QaRuleFields.coverage_min.optional(),
  approvers: QaRuleFields.approvers.optional(),
  tests_changed: QaRuleFields.tests_changed.optional(),
  blocking_concern: QaRuleFields.blocking_concern.optional(),
  fresh_evidence: QaRuleFields.fresh_evidence.optional(),
});

export type QaRuleConfig = z.infer<typeof QaRule>;

/** The QA policy's defaults by risk tier and maturity (docs/formats.md "Tester and QA policy"). */
export function defaultQaRules(): QaRuleConfig[] {
  return [
    { risk: ['low'], approvers: 0 },
    { risk: ['high'], min_tests: 1, coverage_min: 60, tests_changed: true },
    { risk: ['critical'], min_tests: 1, coverage_min: 80, approvers: 2, tests_changed: true, blocking_concern: 'medium' },
    { maturity: ['M0'], min_tests: 0, coverage_min: 0, tests_changed: false, fresh_evidence: false },
  ];
}

/** DESIGN.md §4: Execute needs Frame + Spec approved; Package needs PASS or WAIVED; Merge needs Package approved. */
export function defaultGates(): GateConfig[] {
  return [
    { stage: 'execute', requires: ['frame', 'spec'] },
    { stage: 'package', requires: [], verdict: ['PASS', 'WAIVED'] },
    { stage: 'merge', requires: ['package'] },
  ];
}

/** `.dynaforge/config.yaml` (docs/formats.md). Every key has a default, so `{}` is a valid config. */
export const ConfigSchema = z.strictObject({
  version: z.literal(1).default(1),
  project: z.strictObject({ name: z.string().default('') }).prefault({}),
  ids: z
    .strictObject({
      /** Check other local and remote-tracking branches so two branches do not mint one id. */
      check_branches: z.boolean().default(true),
    })
    .prefault({}),
  defaults: z
    .strictObject({
      maturity_level: z.enum(MATURITY_LEVELS).default('M1'),
      risk_tier: z.enum(RISK_TIERS).default('medium'),
    })
    .prefault({}),
  gates: z.array(Gate).default(defaultGates),
  tests: z.array(TestCommand).default([]),
  qa: z
    .strictObject({
      /** The policy before any rule applies. */
      defaults: z
        .strictObject({
          required: QaRuleFields.required.default('all'),
          min_tests: QaRuleFields.min_tests.default(0),
          coverage_min: QaRuleFields.coverage_min.default(0),
          approvers: QaRuleFields.approvers.default(1),
          tests_changed: QaRuleFields.tests_changed.default(false),
          blocking_concern: QaRuleFields.blocking_concern.default('high'),
          fresh_evidence: QaRuleFields.fresh_evidence.default(true),
        })
        .prefault({}),
      /** Applied in order over `defaults`, each where its risk / maturity match. Replaces the default rules when given. */
      rules: z.array(QaRule).default(defaultQaRules),
      /** Istanbul `json-summary` output (`total.lines.pct`), relative to the repository root. */
      coverage_summary: z.string().min(1).default('coverage/coverage-summary.json'),
      /** Which files are tests (a changed one counts for `tests_changed`). */
      test_globs: z.array(z.string().min(1)).default(['test/**', 'tests/**', '**/__tests__/**', '**/*.test.*', '**/*.spec.*', '**/*_test.*', '**/test_*.*']),
      /** Scope paths needing no test for `tests_changed` (docs, data, manifests). */
      untested_globs: z.array(z.string().min(1)).default(['**/*.md', 'docs/**', '**/*.json', '**/*.yaml', '**/*.yml', '**/*.lock', '**/*.txt', '.*', '**/.*']),
      /** Files changed since the merge base with this revision count too; default: origin/HEAD, else main, else master. */
      base: z.string().min(1).optional(),
    })
    .prefault({}),
  trace: z
    .strictObject({
      sources: z.array(TraceSource).default([
        { kind: 'fr', globs: ['docs/requirements/**/*.md'], pattern: '^#+\\s*(FR-[\\w.-]+)' },
        { kind: 'tc', globs: ['test/**/*', 'tests/**/*'], pattern: '(TC-[\\w.-]+)' },
      ]),
      /** Risk tiers at which a change must name at least one requirement (a trace gap otherwise). */
      require_frs: z.array(z.enum(RISK_TIERS)).default(['high', 'critical']),
    })
    .prefault({}),
  drift: z
    .strictObject({
      /** Orphan commits are looked for after this revision; default: the commit that added .dynaforge/config.yaml. */
      since: z.string().min(1).optional(),
      /** Globs of project paths whose commits need no change (docs, lock files, …). */
      ignore: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  check: z
    .strictObject({
      /** `check` exits 1 when a finding is at least this severe. */
      fail_on: z.enum(['error', 'warning', 'note']).default('warning'),
    })
    .prefault({}),
  retention: z
    .strictObject({
      success_ttl_hours: z.number().nonnegative().default(48),
      failed_ttl_days: z.number().nonnegative().default(30),
      size_cap_mb: z.number().positive().default(500),
    })
    .prefault({}),
  model: z
    .strictObject({
      provider: z.enum(['none', 'scripted', 'openai-compatible', 'vscode-lm']).default('none'),
      url: z.url().optional(),
      model: z.string().optional(),
      /** Cassette (JSONL) of recorded answers, relative to the project root: what `scripted` replays and record mode writes. */
      cassette: z.string().min(1).optional(),
      /** Record mode around a real provider: `missing` replays what the cassette has and records the rest; `all` records every answer. */
      record: z.enum(['off', 'missing', 'all']).default('off'),
      /** Per request: the whole answer, or each piece of a streamed one. */
      timeout_s: z.number().positive().default(120),
      /** Retries after HTTP 429 (honouring Retry-After), 5xx and dropped connections. */
      retries: z.number().int().min(0).max(10).default(3),
    })
    .prefault({}),
  agents: z.array(z.enum(['copilot', 'claude', 'cursor', 'codex', 'gemini'])).default([]),
});
export type Config = z.infer<typeof ConfigSchema>;
