import { z } from 'zod';
import { ChangeIdSchema, FrIdSchema, TcIdSchema, WsIdSchema } from './ids';

export const ORIGINS = ['idea', 'spec', 'plan', 'task', 'code', 'doc'] as const;
export const MATURITY_LEVELS = ['M0', 'M1', 'M2', 'M3', 'M4'] as const;
export const RISK_TIERS = ['low', 'medium', 'high', 'critical'] as const;
/** The SpekKit micro flow, in order (DESIGN.md §4). */
export const STAGES = ['frame', 'spec', 'execute', 'validate', 'package', 'cleanup'] as const;
/** What a human decided about a change; everything else about its lifecycle is derived. */
export const RECORDED_STATUSES = ['open', 'merged', 'abandoned'] as const;
export const VERDICTS = ['PASS', 'CONCERNS', 'FAIL', 'WAIVED'] as const;

export type Origin = (typeof ORIGINS)[number];
export type MaturityLevel = (typeof MATURITY_LEVELS)[number];
export type RiskTier = (typeof RISK_TIERS)[number];
export type Stage = (typeof STAGES)[number];

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');
const IsoTime = z.iso.datetime({ message: 'expected an ISO-8601 UTC time like 2026-11-21T09:00:00.000Z' });

export const ApprovalSchema = z.strictObject({
  stage: z.enum(STAGES),
  sub_scope: z.string().min(1).optional(),
  decision: z.enum(['approved', 'denied']),
  /** Git identity of the person who decided: `Name <email>`. */
  by: z.string().min(1),
  at: IsoTime,
  note: z.string().optional(),
  /** Every artifact the decision covered, with its sha256 at that moment. */
  artifacts: z.record(z.string(), Sha256),
  /** Validate and Package decisions hold for the maturity level they were taken at: a promotion re-runs them. */
  maturity_level: z.enum(MATURITY_LEVELS).optional(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

export const QaVerdictSchema = z.strictObject({
  verdict: z.enum(VERDICTS),
  reasons: z.array(z.string()),
  by: z.string().optional(),
  at: IsoTime,
  policy_hash: Sha256.optional(),
});

/** `changes/CH-###/change.yaml` (DESIGN.md §4, docs/formats.md). Key order here is the order written. */
export const ChangeSchema = z.strictObject({
  id: ChangeIdSchema,
  title: z.string().min(1),
  origin: z.enum(ORIGINS),
  scope: z
    .strictObject({
      paths: z.array(z.string().min(1)).default([]),
      frs: z.array(FrIdSchema).default([]),
      ws: z.array(WsIdSchema).default([]),
      tcs: z.array(TcIdSchema).default([]),
    })
    .prefault({}),
  maturity_level: z.enum(MATURITY_LEVELS).default('M1'),
  risk_tier: z.enum(RISK_TIERS).default('medium'),
  status: z.enum(RECORDED_STATUSES).default('open'),
  links: z
    .strictObject({
      depends_on: z.array(ChangeIdSchema).default([]),
      supersedes: z.array(ChangeIdSchema).default([]),
      related: z.array(ChangeIdSchema).default([]),
    })
    .prefault({}),
  approvals: z.array(ApprovalSchema).default([]),
  qa_verdict: QaVerdictSchema.optional(),
  /** References into evidence.json or files holding evidence. */
  evidence: z.array(z.string()).default([]),
  created: IsoTime,
  updated: IsoTime,
});
export type Change = z.infer<typeof ChangeSchema>;
export type ChangeInput = z.input<typeof ChangeSchema>;
