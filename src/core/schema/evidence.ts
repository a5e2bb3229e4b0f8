import { z } from 'zod';
import { ChangeIdSchema } from './ids';

export const EVIDENCE_VERSION = 1 as const;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');
/** A git object id (sha1 today, sha256 in a sha256 repository). */
const Oid = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, 'expected a git object id');
/** `E-1`, `E-2`, …: an entry's id, never reused. */
const EvidenceId = z.string().regex(/^E-\d+$/, 'expected an evidence id like E-1');
const IsoTime = z.iso.datetime({ message: 'expected an ISO-8601 UTC time like 2026-11-21T09:00:00.000Z' });

export const FILE_STATUSES = ['added', 'modified', 'deleted', 'renamed', 'copied', 'type-changed', 'unmerged'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** One file a captured diff touches. */
export const EvidenceFileSchema = z.strictObject({
  /** Repository-relative path after the change (for a deletion: the path that was removed). */
  path: z.string().min(1),
  /** The path before a rename or copy. */
  old_path: z.string().min(1).optional(),
  status: z.enum(FILE_STATUSES),
  /** git could not count lines (binary content): additions/deletions are then absent. */
  binary: z.boolean(),
  additions: z.number().int().nonnegative().optional(),
  deletions: z.number().int().nonnegative().optional(),
  /** git blob id before (absent for an added file) and after (absent for a deleted one). */
  blob_before: Oid.optional(),
  blob_after: Oid.optional(),
});
export type EvidenceFile = z.infer<typeof EvidenceFileSchema>;

/** A commit of a captured range, with the changes its `Change:` trailers claim it for. */
export const EvidenceCommitSchema = z.strictObject({
  sha: Oid,
  subject: z.string(),
  claimed_by: z.array(ChangeIdSchema),
});

/** What a capture looked at: a commit range, or the index / working tree against a base commit. */
export const EvidenceSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('range'), spec: z.string().min(1), from: Oid, to: Oid, base: Oid }),
  z.strictObject({ kind: z.literal('staged'), base: Oid }),
  z.strictObject({ kind: z.literal('working'), base: Oid }),
]);

/** One diff taken as evidence (`capture`). Referenced from change.yaml as `evidence.json#E-<n>`. */
export const DiffEvidenceSchema = z.strictObject({
  id: EvidenceId,
  kind: z.literal('git-diff'),
  captured_at: IsoTime,
  source: EvidenceSourceSchema,
  /** sha256 of the full `git diff --binary --full-index` output, streamed; and its size. */
  diff_sha256: Sha256,
  diff_bytes: z.number().int().nonnegative(),
  commits: z.array(EvidenceCommitSchema),
  files: z.array(EvidenceFileSchema),
});
export type DiffEvidence = z.infer<typeof DiffEvidenceSchema>;

/** One declared test command run to verify a task: how it ended (its output stays in the audit's concern when it failed). */
export const TaskCommandResultSchema = z.strictObject({
  name: z.string().min(1),
  command: z.string(),
  /** null when a signal ended it. */
  exit: z.number().int().nullable(),
  timed_out: z.boolean(),
  duration_ms: z.number().int().nonnegative(),
  counts: z
    .strictObject({ tests: z.number().int().nonnegative(), passed: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), skipped: z.number().int().nonnegative() })
    .optional(),
});

/**
 * How a task's work was verified: `passed` (every command run exited 0, none timed out, no
 * failed tests reported), `unverified` (config.yaml declares no tests[]: nothing checked it)
 * or `skipped` (`task done --no-verify`, an explicit choice).
 */
export const TaskVerificationSchema = z.strictObject({
  status: z.enum(['passed', 'unverified', 'skipped']),
  commands: z.array(TaskCommandResultSchema),
});
export type TaskVerification = z.infer<typeof TaskVerificationSchema>;

/**
 * The work of one task done by hand (`task done`): the diff between the tree of the working
 * copy when the task started (`baseline`) and when it was finished (`tree`), the tool's own
 * records left out, with the commits made meanwhile and the verification that passed.
 * `base` is HEAD when the task was finished (the empty tree before the first commit).
 */
export const TaskDiffEvidenceSchema = z.strictObject({
  id: EvidenceId,
  kind: z.literal('task-diff'),
  captured_at: IsoTime,
  task: z.string().regex(/^T-\d{3,}$/, 'expected a task id like T-003'),
  source: z.strictObject({ kind: z.literal('task'), started_at: IsoTime, baseline: Oid, tree: Oid, head_at_start: Oid.optional(), base: Oid }),
  diff_sha256: Sha256,
  diff_bytes: z.number().int().nonnegative(),
  commits: z.array(EvidenceCommitSchema),
  files: z.array(EvidenceFileSchema),
  /** Other tasks in progress in the same working copy meanwhile (`--parallel`): their edits may be in this diff too. */
  parallel_with: z.array(z.string().regex(/^T-\d{3,}$/)).optional(),
  verification: TaskVerificationSchema,
});
export type TaskDiffEvidence = z.infer<typeof TaskDiffEvidenceSchema>;

/**
 * A file an Implementer task changed: as for a diff (status `added`, `modified`, or `deleted`
 * when someone removed it since; blob ids and line counts when the project is in a git
 * repository), with the sha256 of its content before the task's first write and when the task
 * was done (each absent where there was no file): the hashes its `implementer.file_changed`
 * events and CHANGE_SUMMARY.md show.
 */
export const ImplementerFileSchema = EvidenceFileSchema.extend({
  sha256_before: Sha256.optional(),
  sha256_after: Sha256.optional(),
});
export type ImplementerFile = z.infer<typeof ImplementerFileSchema>;

/**
 * A task the Implementer finished (its verdict passed): the files it changed and the
 * verification that passed after its last write, with the run and step that did it. The run
 * folder is ephemeral (retention purges it); this entry is what stays. `commits` is always
 * empty (a run commits nothing): it is there so every entry reads alike.
 */
export const ImplementerEvidenceSchema = z.strictObject({
  id: EvidenceId,
  kind: z.literal('implementer-task'),
  captured_at: IsoTime,
  /** The tasks.md task it completed, when the run's task is linked to one. */
  task: z.string().regex(/^T-\d{3,}$/, 'expected a task id like T-003').optional(),
  source: z.strictObject({
    kind: z.literal('implementer'),
    run_id: z.string().min(1),
    /** N of `artifacts/work/CH-###/run-N`. */
    run: z.number().int().positive(),
    /** The run's own task id (`task-1`, …) and the step whose verdict passed. */
    task: z.string().regex(/^task-\d+$/, 'expected a run task id like task-1'),
    step: z.number().int().positive(),
    /** HEAD when the task was done (git's empty tree before the first commit, or outside git). */
    base: Oid,
  }),
  commits: z.array(EvidenceCommitSchema),
  files: z.array(ImplementerFileSchema).min(1),
  /** Always `passed`: the Implementer marks nothing done otherwise. No durations: a replayed run writes the same bytes. */
  verification: z.strictObject({ status: z.literal('passed'), commands: z.array(TaskCommandResultSchema.omit({ duration_ms: true })).min(1) }),
});
export type ImplementerEvidence = z.infer<typeof ImplementerEvidenceSchema>;

export const EvidenceEntrySchema = z.discriminatedUnion('kind', [DiffEvidenceSchema, TaskDiffEvidenceSchema, ImplementerEvidenceSchema]);
export type EvidenceEntry = z.infer<typeof EvidenceEntrySchema>;

/**
 * Entries that no longer stand as evidence because the work they record was undone
 * (`implement abort` restored the files of the run that recorded them). The entries stay as
 * they were written: a withdrawal is appended beside them, never removed, and every reader
 * (drift, QA, analyze) leaves withdrawn entries out (`activeEntries`).
 */
export const EvidenceWithdrawalSchema = z.strictObject({
  entries: z.array(EvidenceId).min(1),
  at: IsoTime,
  /** Who withdrew them (the actor id of the command). */
  by: z.string().min(1),
  reason: z.string().min(1),
  /** The Implementer run whose evidence this is, when a run's abort withdrew it. */
  run_id: z.string().min(1).optional(),
});
export type EvidenceWithdrawal = z.infer<typeof EvidenceWithdrawalSchema>;

/**
 * `changes/CH-###/evidence.json` (docs/formats.md "Capture, evidence and impact"). Entries and
 * withdrawals are only appended; `withdrawals` is absent until the first one.
 */
export const EvidenceSchema = z
  .strictObject({
    version: z.literal(EVIDENCE_VERSION),
    entries: z.array(EvidenceEntrySchema),
    withdrawals: z.array(EvidenceWithdrawalSchema).optional(),
  })
  .superRefine((e, ctx) => {
    const ids = new Set(e.entries.map((x) => x.id));
    (e.withdrawals ?? []).forEach((w, i) =>
      w.entries.forEach((id, k) => {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['withdrawals', i, 'entries', k], message: `withdraws ${id}, which is not an entry of this file` });
      }),
    );
  });
export type Evidence = z.infer<typeof EvidenceSchema>;
