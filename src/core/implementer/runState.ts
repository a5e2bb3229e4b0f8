import { z } from 'zod';

/**
 * What the run folder holds besides run.json (docs/formats.md, "The Implementer"). Everything
 * is validated when read back: a run folder is disk input like any other.
 */

/** One task of the ephemeral task list (`tasks.json`). */
export const RunTaskSchema = z.strictObject({
  /** `task-1`, `task-2`, … in plan order. */
  id: z.string().regex(/^task-\d+$/),
  title: z.string().min(1),
  /** Files the plan expects the task to touch (a hint for the model, not a limit). */
  files: z.array(z.string()),
  /** Names of config.yaml `tests[]` that verify it; empty: every declared test. */
  verify: z.array(z.string()),
  /** The tasks.md task it implements, when the model named one that exists there. */
  tasks_md: z.string().optional(),
});
export type RunTask = z.infer<typeof RunTaskSchema>;

export const TasksFileSchema = z.strictObject({ version: z.literal(1), tasks: z.array(RunTaskSchema).min(1) });

const ToolCallSchema = z.strictObject({ id: z.string(), name: z.string(), arguments: z.record(z.string(), z.json()) });

/** A chat message as kept in state.json (the conversation a resume continues). */
export const StoredMessageSchema = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('system'), content: z.string() }),
  z.strictObject({ role: z.literal('user'), content: z.string() }),
  z.strictObject({ role: z.literal('assistant'), content: z.string(), toolCalls: z.array(ToolCallSchema).optional() }),
  z.strictObject({ role: z.literal('tool'), toolCallId: z.string(), content: z.string() }),
]);

/** One run of a declared test command, without the wall-clock duration (runs must replay byte for byte). */
export const VerificationSchema = z.strictObject({
  name: z.string(),
  exit: z.number().int().nullable(),
  timed_out: z.boolean(),
  passed: z.boolean(),
  counts: z.strictObject({ tests: z.number().int(), passed: z.number().int(), failed: z.number().int(), skipped: z.number().int() }).optional(),
  output_tail: z.string(),
  /** How many writes the run had made when it ran: a result is current while no write followed. */
  after_writes: z.number().int().nonnegative(),
});
export type Verification = z.infer<typeof VerificationSchema>;

export const TASK_STATUSES = ['pending', 'running', 'done', 'blocked'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const BLOCK_REASONS = ['no-changes', 'verification-failed', 'no-verification'] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

export const TaskStateSchema = z.strictObject({
  id: z.string(),
  status: z.enum(TASK_STATUSES),
  steps: z.number().int().nonnegative(),
  /** The model's final answer for the task (its claim). */
  claim: z.string().optional(),
  /** Files the task changed (the evidence), as judged when it claimed done. */
  files: z.array(z.string()),
  verification: z.array(VerificationSchema),
  block: z.enum(BLOCK_REASONS).optional(),
  /** The tasks.md task marked done for it. */
  marked: z.string().optional(),
  /** Its entry in the change's evidence.json once done (`evidence.json#E-n`): what tasks.md and CHANGE_SUMMARY.md link. */
  evidence: z.string().optional(),
  concern: z.string().optional(),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

export const RefusedSchema = z.strictObject({ step: z.number().int(), task: z.string(), tool: z.string(), path: z.string(), reason: z.string(), message: z.string() });
export type Refused = z.infer<typeof RefusedSchema>;

/** `state.json`: where the loop is, rewritten after every finished step. */
export const StateSchema = z.strictObject({
  version: z.literal(1),
  phase: z.enum(['plan', 'execute', 'finished']),
  /** The conversation after the last finished step: the plan's (phase plan) or the current task's. */
  conversation: z.strictObject({ task: z.string().optional(), messages: z.array(StoredMessageSchema) }).optional(),
  tasks: z.array(TaskStateSchema),
  refused: z.array(RefusedSchema),
  /** Concerns raised by this run, in order (`C-n` of the change). */
  concerns: z.array(z.string()),
  /** Paths already reported as outside the scope (one concern per path and run). */
  scope_reported: z.array(z.string()),
  /** Set by `implement abort`: what was restored, deleted and kept. A restored run cannot be resumed. */
  restored: z
    .strictObject({ restored: z.array(z.string()), deleted: z.array(z.string()), kept: z.array(z.strictObject({ path: z.string(), reason: z.string() })) })
    .optional(),
});
export type RunState = z.infer<typeof StateSchema>;

export function initialState(): RunState {
  return { version: 1, phase: 'plan', tasks: [], refused: [], concerns: [], scope_reported: [] };
}

/** The plan the model answers with (validated at the boundary; docs/formats.md). */
export const PlanAnswerSchema = z.strictObject({
  spec: z.strictObject({ summary: z.string().min(1), requirements: z.array(z.string()).default([]) }),
  plan: z.strictObject({ approach: z.array(z.string()).min(1), verification: z.array(z.string()).default([]) }),
  tasks: z
    .array(
      z.strictObject({
        /** The tasks.md id (T-###) this task implements, if any. */
        id: z.string().optional(),
        title: z.string().trim().min(1),
        files: z.array(z.string()).default([]),
        verify: z.array(z.string()).default([]),
      }),
    )
    .min(1, 'the plan needs at least one task')
    .max(50, 'at most 50 tasks: split the change instead'),
});
export type PlanAnswer = z.infer<typeof PlanAnswerSchema>;
