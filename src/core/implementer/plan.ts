import { canonicalJson, sha256 } from '../canonical';
import { describeIssue } from '../schema/issues';
import { PlanAnswerSchema, type PlanAnswer, type RunTask } from './runState';

export interface ParsedPlan {
  readonly spec: PlanAnswer['spec'];
  readonly plan: PlanAnswer['plan'];
  readonly tasks: RunTask[];
  /** sha256 of the canonical JSON of `tasks`: same seed and same answers, same hash. */
  readonly tasksHash: string;
  /** Things worth telling a person (e.g. a tasks.md id that does not exist): the plan still stands. */
  readonly notes: string[];
}

export type PlanResult = { readonly ok: true; readonly plan: ParsedPlan } | { readonly ok: false; readonly error: string };

/** The JSON object in a model's answer: the whole text, a fenced block, or from the first { to the last }. */
function jsonText(answer: string): string {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/.exec(answer);
  if (fenced) return (fenced[1] as string).trim();
  const t = answer.trim();
  const a = t.indexOf('{');
  const b = t.lastIndexOf('}');
  return a >= 0 && b > a ? t.slice(a, b + 1) : t;
}

export function tasksHash(tasks: readonly RunTask[]): string {
  return sha256(canonicalJson(tasks));
}

/**
 * Validates the model's plan at the boundary: JSON, the schema, test names that exist. Never
 * throws on a bad answer: the error is text for the model (a second chance) and for the concern.
 */
export function parsePlan(answer: string, declaredTests: readonly string[], tasksMdIds: readonly string[]): PlanResult {
  let data: unknown;
  try {
    data = JSON.parse(jsonText(answer));
  } catch (e) {
    return { ok: false, error: `the answer is not a JSON object (${e instanceof Error ? e.message : String(e)})` };
  }
  const r = PlanAnswerSchema.safeParse(data);
  if (!r.success) return { ok: false, error: r.error.issues.slice(0, 5).map(describeIssue).join('; ') };
  const problems: string[] = [];
  r.data.tasks.forEach((t, i) => {
    for (const name of t.verify) if (!declaredTests.includes(name)) problems.push(`tasks[${i}].verify: "${name}" is not a declared test command (declared: ${declaredTests.join(', ') || 'none'})`);
  });
  if (problems.length) return { ok: false, error: problems.join('; ') };

  const notes: string[] = [];
  const linked = new Set<string>();
  const tasks: RunTask[] = r.data.tasks.map((t, i) => {
    const id = `task-${i + 1}`;
    const wanted = t.id?.trim().toUpperCase();
    let tasks_md: string | undefined;
    if (wanted) {
      if (!tasksMdIds.includes(wanted)) notes.push(`${id} names ${wanted}, which is not an open task of tasks.md: it is recorded in the run only`);
      else if (linked.has(wanted)) notes.push(`${id} names ${wanted} again: only the first task naming it marks it done`);
      else {
        tasks_md = wanted;
        linked.add(wanted);
      }
    }
    return { id, title: t.title.replace(/\s+/g, ' ').trim(), files: t.files.map((f) => f.replace(/\\/g, '/')), verify: t.verify, ...(tasks_md ? { tasks_md } : {}) };
  });
  return { ok: true, plan: { spec: r.data.spec, plan: r.data.plan, tasks, tasksHash: tasksHash(tasks), notes } };
}
