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
