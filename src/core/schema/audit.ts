import { z } from 'zod';

/** Version of the audit event envelope. Bump when the envelope (not a payload) changes. */
export const AUDIT_EVENT_VERSION = 1 as const;

export const ActorSchema = z.strictObject({
  kind: z.enum(['human', 'agent']),
  /** Git identity `Name <email>` for humans; agent name for agents. */
  id: z.string().min(1),
  /** pm, designer, implementer, tester, approver, cli user, … */
  role: z.string().min(1),
});
export type Actor = z.infer<typeof ActorSchema>;

const ChangeId = z.string().regex(/^CH-\d{3,}$/);
const TaskId = z.string().regex(/^T-\d{3,}$/);

/**
 * Payload schemas by event type. An event whose type is not listed here fails validation:
 * every event we write is schema-checked, and a reader meets no surprises.
 */
export const AuditPayloads = {
  command: z.strictObject({
    name: z.string(),
    args: z.array(z.string()),
    cwd: z.string(),
    outcome: z.enum(['ok', 'error']),
    exit_code: z.number().int(),
    error: z.string().optional(),
  }),
  'project.initialized': z.strictObject({
    written: z.array(z.string()),
    kept: z.array(z.string()),
    upgraded: z.array(z.string()),
    backups: z.array(z.string()),
  }),
  'change.created': z.strictObject({ title: z.string(), origin: z.string(), file: z.string(), hash: z.string() }),
  'change.updated': z.strictObject({ fields: z.array(z.string()), file: z.string(), hash: z.string() }),
  'change.activated': z.strictObject({ branch: z.string().optional() }),
  /** `capture`: a diff taken as evidence (`evidence` is the `evidence.json#E-<n>` entry). */
  'change.captured': z.strictObject({
    evidence: z.string(),
    source: z.enum(['range', 'staged', 'working']),
    range: z.string().optional(),
    base: z.string(),
    to: z.string().optional(),
    commits: z.array(z.string()),
    files: z.number().int().nonnegative(),
    diff_sha256: z.string(),
    claimed_by_others: z.array(ChangeId),
  }),
  /** `impact`: impact.md (re)written; `hash` is its sha256. */
  'change.impact_written': z.strictObject({
    file: z.string(),
    hash: z.string(),
    suggested_risk_tier: z.enum(['low', 'medium', 'high', 'critical']),
    conflicts: z.array(ChangeId),
  }),
  /** `views`: the generated views rewritten (`hash`: sha256 of each file as written) and those left unchanged. */
  'views.written': z.strictObject({
    written: z.array(z.strictObject({ file: z.string(), hash: z.string() })).min(1),
    unchanged: z.array(z.string()),
  }),
  /**
   * `analyze`, `checklist`, `clarify`: a report written to artifacts/analyze/CH-###/. `inputs`
   * and `outputs` map repository-relative paths to sha256 (outputs: the report files, and
   * checklist.md or spec.md when the command wrote them).
   */
  'analysis.recorded': z.strictObject({
    command: z.enum(['analyze', 'checklist', 'clarify']),
    status: z.enum(['pass', 'findings']),
    counts: z.strictObject({ error: z.number().int().nonnegative(), warning: z.number().int().nonnegative(), note: z.number().int().nonnegative() }),
    inputs: z.record(z.string(), z.string()),
    outputs: z.record(z.string(), z.string()),
    /** checklist: ticked items of all. */
    checklist: z.strictObject({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).optional(),
    /** clarify --answer: the question answered and where its answer was written. */
    answered: z.strictObject({ question: z.string(), file: z.string(), line: z.number().int().positive() }).optional(),
  }),
  /** `task start`: a task set to doing, with the tree of the working copy it started from (`head`: HEAD then, absent before the first commit). */
  'task.started': z.strictObject({
    task: TaskId,
    file: z.string(),
    hash: z.string(),
    baseline: z.string(),
    head: z.string().optional(),
    parallel: z.boolean(),
  }),
  /** `task done`: the task's diff recorded as `evidence` (an `evidence.json#E-<n>` entry) and the task marked done. */
  'task.completed': z.strictObject({
    task: TaskId,
    evidence: z.string(),
    file: z.string(),
    hash: z.string(),
    baseline: z.string(),
    tree: z.string(),
    files: z.number().int().nonnegative(),
    diff_sha256: z.string(),
    verification: z.enum(['passed', 'unverified', 'skipped']),
    commands: z.array(z.strictObject({ name: z.string(), exit: z.number().int().nullable(), timed_out: z.boolean() })),
  }),
  /** `task done` refused: the task stays doing and `concern_id` says why. */
  'task.blocked': z.strictObject({
    task: TaskId,
    reason: z.enum(['no-changes', 'verification-failed', 'unverified']),
    concern_id: z.string(),
    baseline: z.string(),
    files: z.number().int().nonnegative(),
    failed: z.array(z.strictObject({ name: z.string(), exit: z.number().int().nullable(), timed_out: z.boolean() })),
  }),
  /** `task stop`: the task back to todo and its baseline forgotten. */
  'task.stopped': z.strictObject({ task: TaskId, file: z.string(), hash: z.string() }),
  'concern.raised': z.strictObject({
    concern_id: z.string(),
    source: z.string(),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    summary: z.string(),
    evidence: z.array(z.string()),
  }),
  'concern.acknowledged': z.strictObject({ concern_id: z.string(), note: z.string().optional() }),
  'concern.resolved': z.strictObject({ concern_id: z.string(), note: z.string().optional() }),
  'concern.assigned': z.strictObject({ concern_id: z.string(), assignee: z.string() }),
  'approval.recorded': z.strictObject({
    stage: z.string(),
    sub_scope: z.string().optional(),
    decision: z.enum(['approved', 'denied']),
    note: z.string().optional(),
    artifacts: z.record(z.string(), z.string()),
    concern_id: z.string().optional(),
  }),
  'artifact.derived': z.strictObject({
    artifact: z.string(),
    action: z.enum(['created', 'refreshed', 'unchanged']),
    hash: z.string(),
    derived_from: z.record(z.string(), z.string()),
    tasks: z.strictObject({ kept: z.number().int(), added: z.number().int(), dropped: z.number().int() }).optional(),
  }),
  /** `reconcile`: a drift item dealt with. `accept` hides the item while `fingerprint` still matches. */
  'drift.reconciled': z.strictObject({
    key: z.string(),
    kind: z.string(),
    action: z.enum(['regenerate', 're-approve', 'attach', 'capture', 'accept']),
    fingerprint: z.string(),
    note: z.string().optional(),
    /** What the action produced: files written, the change attached to or created, evidence refs. */
    result: z.array(z.string()),
  }),
  /**
   * Retention removed an Implementer run folder (docs/formats.md, "Retention"). `run` is the
   * project-relative folder; `concern` names the concern that referenced a failed run.
   */
  'retention.deleted': z.strictObject({
    run: z.string(),
    ch_id: ChangeId,
    run_id: z.string().optional(),
    status: z.enum(['running', 'succeeded', 'failed', 'aborted', 'invalid']),
    reason: z.enum(['success-ttl', 'failed-ttl', 'size-cap', 'interrupted']),
    detail: z.string(),
    bytes: z.number().int().nonnegative(),
    concern: z.string().optional(),
  }),
  /** A `.retain` marker written (`retention retain`): the run is kept whatever its age. */
  'retention.retained': z.strictObject({ run: z.string(), run_id: z.string().optional(), marker: z.string() }),
  /** A `.retain` marker removed (`retention retain --release`): the run is subject to the rules again. */
  'retention.released': z.strictObject({ run: z.string(), run_id: z.string().optional(), marker: z.string() }),
  /**
   * The Implementer (docs/formats.md, "The Implementer"): every event of a run carries its
   * `run_id` on the envelope. A step is one request to the model and what its answer led to.
   */
  'implementer.step_started': z.strictObject({ step: z.number().int().positive(), kind: z.enum(['plan', 'task']), task: z.string().optional() }),
  'implementer.step_finished': z.strictObject({
    step: z.number().int().positive(),
    kind: z.enum(['plan', 'task']),
    task: z.string().optional(),
    outcome: z.enum(['planned', 'plan-invalid', 'tool-calls', 'done', 'blocked', 'cancelled', 'error']),
    /** Names of the tools the model called in this step, in order. */
    tool_calls: z.array(z.string()),
  }),
  'implementer.task_generated': z.strictObject({
    task: z.string(),
    index: z.number().int().positive(),
    count: z.number().int().positive(),
    title: z.string(),
    files: z.array(z.string()),
    verify: z.array(z.string()),
    /** The tasks.md task this one implements, when the ids match. */
    tasks_md: z.string().optional(),
    /** sha256 of the whole task list (also run.json `tasks_hash`). */
    tasks_hash: z.string(),
  }),
  'implementer.file_changed': z.strictObject({
    task: z.string(),
    path: z.string(),
    action: z.enum(['created', 'modified']),
    sha256: z.string(),
    /** sha256 of the file before this write; absent when it was created. */
    before: z.string().optional(),
  }),
  'implementer.test_added': z.strictObject({ task: z.string(), path: z.string(), sha256: z.string() }),
  'implementer.verdict_pass': z.strictObject({
    task: z.string(),
    files: z.array(z.string()),
    verification: z.array(z.strictObject({ name: z.string(), exit: z.number().int().nullable(), timed_out: z.boolean(), passed: z.boolean() })),
    tasks_md: z.string().optional(),
    /** The task's entry in the change's evidence.json (`evidence.json#E-n`); absent in events written before it was recorded there. */
    evidence: z.string().optional(),
  }),
  'implementer.verdict_block': z.strictObject({
    task: z.string(),
    reason: z.enum(['no-changes', 'verification-failed', 'no-verification']),
    files: z.array(z.string()),
    verification: z.array(z.strictObject({ name: z.string(), exit: z.number().int().nullable(), timed_out: z.boolean(), passed: z.boolean() })),
    concern_id: z.string(),
  }),
  /**
   * `implement abort` (not a cancel): the run's files put back (`restored`, `deleted`; `kept`:
   * edited since, left alone), its evidence withdrawn (`withdrawn`: the `evidence.json#E-n`
   * entries, no longer in change.yaml `evidence[]`) and, when tasks.md was kept, the tasks it
   * had marked done set back (`unmarked`). The actor is who aborted; `run` the run folder.
   */
  'implementer.aborted': z.strictObject({
    run: z.string(),
    restored: z.array(z.string()),
    deleted: z.array(z.string()),
    kept: z.array(z.strictObject({ path: z.string(), reason: z.string() })),
    withdrawn: z.array(z.string()),
    unmarked: z.array(TaskId),
  }),
  /**
   * `validate`: the declared test commands ran. `results` is tests/results/CH-###.json and
   * `sha256` its hash as written; per command how it ended (output stays in the results file).
   */
  'tests.ran': z.strictObject({
    results: z.string(),
    sha256: z.string(),
    policy_hash: z.string(),
    commands: z.array(
      z.strictObject({
        name: z.string(),
        exit: z.number().int().nullable(),
        signal: z.string().optional(),
        timed_out: z.boolean(),
        duration_ms: z.number().int().nonnegative(),
        counts: z.strictObject({ tests: z.number().int().nonnegative(), passed: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), skipped: z.number().int().nonnegative() }).optional(),
      }),
    ),
  }),
  /**
   * A QA verdict recorded in change.yaml `qa_verdict` (`validate`, or `waive`: then `waived` is
   * the verdict set aside). `policy_hash`: sha256 of the policy's canonical JSON. `concern_id`:
   * the concern a FAIL raised.
   */
  'qa.verdict': z.strictObject({
    verdict: z.enum(['PASS', 'CONCERNS', 'FAIL', 'WAIVED']),
    reasons: z.array(z.string()),
    policy_hash: z.string(),
    report: z.string().optional(),
    waived: z.enum(['CONCERNS', 'FAIL']).optional(),
    concern_id: z.string().optional(),
  }),
  /** The agent loop hands a change from one role to the next (DESIGN.md §6); `artifacts`: name → sha256 then. */
  'agent.handoff': z.strictObject({
    from: z.string(),
    to: z.string(),
    stage: z.string(),
    role: z.string(),
    seed: z.number().int(),
    run_id: z.string().optional(),
    artifacts: z.record(z.string(), z.string()),
  }),
  'audit.repaired': z.strictObject({
    stream: z.string(),
    torn_line: z.number().int().optional(),
    torn_bytes: z.number().int().optional(),
    torn_sha256: z.string().optional(),
    moved_to: z.string().optional(),
    head_fixed: z.boolean(),
  }),
} as const;

export type AuditEventType = keyof typeof AuditPayloads;
export type AuditPayload<T extends AuditEventType> = z.infer<(typeof AuditPayloads)[T]>;

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** The envelope every line of an audit stream holds (DESIGN.md §2.4, docs/formats.md). */
export const AuditEventSchema = z
  .strictObject({
    v: z.literal(AUDIT_EVENT_VERSION),
    seq: z.number().int().positive(),
    ts: z.iso.datetime(),
    type: z.string(),
    ch_id: ChangeId.optional(),
    actor: ActorSchema,
    run_id: z.string().min(1).optional(),
    correlation_id: z.string().min(1),
    payload: z.record(z.string(), z.unknown()),
    prev: Hex64,
    hash: Hex64,
  })
  .superRefine((e, ctx) => {
    // Own keys only: a type like "constructor" must be an unknown type, not Object.prototype's.
    const schema = Object.hasOwn(AuditPayloads, e.type) ? (AuditPayloads as Record<string, z.ZodType>)[e.type] : undefined;
    if (!schema) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown event type "${e.type}"` });
      return;
    }
    const r = schema.safeParse(e.payload);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ['payload', ...issue.path] } as never);
    }
  });

export type AuditEvent = Omit<z.infer<typeof AuditEventSchema>, 'type'> & { type: AuditEventType };

/** What a caller supplies; the log fills in v, seq, ts, prev and hash. */
export interface AuditEventInput<T extends AuditEventType = AuditEventType> {
  readonly type: T;
  readonly ch_id?: string;
  readonly actor: Actor;
  readonly run_id?: string;
  readonly correlation_id: string;
  readonly payload: AuditPayload<T>;
}
