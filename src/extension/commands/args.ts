import { z } from 'zod';
import { TASK_STATES } from '../../core/artifacts/tasksFormat';
import { FIX_ACTIONS } from '../../core/drift/model';
import { DfError } from '../../core/errors';
import { STAGES } from '../../core/schema/change';

/**
 * Command arguments are validated at the boundary: they may come from a tree node, a CodeLens,
 * a quick fix, a test or another extension. A bare string is taken as a change id.
 */
const ChangeId = z.string().regex(/^CH-\d{3,}$/i, 'a change id like CH-012').transform((s) => s.toUpperCase());

function withChange<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (typeof v === 'string' ? { chId: v } : v), z.looseObject({ chId: ChangeId.optional(), ...shape })).optional();
}

export const ChangeArg = withChange({});
export const DecisionArg = withChange({ stage: z.enum(STAGES).optional(), note: z.string().optional() });
export const NewChangeArg = z.looseObject({ title: z.string().optional(), use: z.boolean().optional(), open: z.boolean().optional() }).optional();
export const ReconcileArg = withChange({ key: z.string().optional(), action: z.enum(FIX_ACTIONS).optional(), note: z.string().optional(), to: ChangeId.optional() });
export const DeriveArg = withChange({ artifact: z.enum(['spec', 'plan', 'tasks']).optional() });
export const TaskStateArg = z.looseObject({ uri: z.string(), line: z.number().int().positive(), state: z.enum(TASK_STATES).optional() });
/** Capture: `chId` is the change to attach the diff to as evidence (a tree node's change); without it a new change is made. */
export const CaptureArg = withChange({
  source: z.union([z.enum(['working', 'staged']), z.looseObject({ range: z.string().trim().min(1, 'a git range like main..HEAD') })]).optional(),
  title: z.string().optional(),
  use: z.boolean().optional(),
  open: z.boolean().optional(),
});
export const ImplementArg = withChange({ maxSteps: z.number().int().positive().optional() });
export const StatusArg = withChange({ all: z.boolean().optional() });
/** Trace: `id` is a change, FR, WS or TC id (checked by the engine's parseTraceId); a bare string is that id. */
export const TraceArg = z.preprocess((v) => (typeof v === 'string' ? { id: v } : v), z.looseObject({ id: z.string().optional(), chId: ChangeId.optional() })).optional();
export const ClarifyArg = withChange({ question: z.string().regex(/^q-?\d+$/i, 'a question id like Q-2').optional(), answer: z.string().optional() });
export const WaiveArg = withChange({ note: z.string().optional() });

/** Parses a command's first argument; a wrong shape is a usage error naming the command. */
export function parseArg<S extends z.ZodType>(schema: S, value: unknown, command: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new DfError('usage', `${command} was given arguments it does not understand: ${r.error.issues.map((i) => `${i.path.join('.') || 'argument'}: ${i.message}`).join('; ')}`, 'run it from the command palette, or pass a change id like CH-012');
}
/** A task of a change; without `task` the palette asks for one. */
export const TaskRefArg = withChange({ task: z.string().regex(/^t-\d{3,}$/i, 'a task id like T-003').transform((t) => t.toUpperCase()).optional(), noVerify: z.boolean().optional() });
