import { join } from 'node:path';
import { z } from 'zod';
import { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import type { ModelPort } from '../model/modelPort';
import type { Actor } from '../schema/audit';
import { RISK_TIERS, type Change, type RiskTier } from '../schema/change';
import type { Workspace } from '../workspace';

export const ROLES = ['pm', 'designer', 'implementer', 'tester'] as const;
export type Role = (typeof ROLES)[number];

/** The actor an agent role writes events as. */
export function agentActor(role: Role): Actor {
  return { kind: 'agent', id: `dynaforge-${role}`, role };
}

export interface RoleContext {
  readonly ws: Workspace;
  readonly model: ModelPort;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

/** What the PM proposes for a new change: brief sections by heading (they replace the template's). */
export interface Framing {
  readonly title: string;
  readonly sections: Readonly<Record<string, string>>;
  readonly paths: string[];
  readonly frs: string[];
  readonly risk?: RiskTier;
}

const FramingAnswer = z.strictObject({
  title: z.string().min(1).max(120),
  problem: z.string().min(1),
  outcome: z.string().min(1),
  scope_paths: z.array(z.string().min(1)).default([]),
  requirements: z.array(z.string().regex(/^FR-[\w.-]+$/)).default([]),
  risk_tier: z.enum(RISK_TIERS).optional(),
});

const SpecAnswer = z.strictObject({ spec: z.string().min(20) });
const TasksAnswer = z.strictObject({
  plan: z.string().min(10),
  tasks: z.array(z.strictObject({ text: z.string().min(3).max(300), files: z.array(z.string()).default([]), parallel: z.boolean().default(false) })).min(1).max(50),
});

/** The constitution, so every role works within the project's rules. */
function constitution(ws: Workspace): string {
  return readTextIfExists(ws.layout.constitutionFile)?.trim() ?? '(none)';
}

/**
 * Asks the model for one JSON object and validates it at the boundary. An answer that is not
 * the JSON asked for is a DfError naming the role and what was wrong (the loop turns it into
 * a concern) — never a crash and never a half-applied result.
 */
async function askJson<T>(ctx: RoleContext, role: Role, label: string, system: string, user: string, schema: z.ZodType<T>): Promise<T> {
  const r = await ctx.model.chat(
    { label: `${role}: ${label}`, seed: ctx.seed, temperature: 0, messages: [{ role: 'system', content: system }, { role: 'user', content: user }] },
    ctx.signal ? { signal: ctx.signal } : {},
  );
  const text = r.text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new DfError('invalid-schema', `the ${role} model answered "${label}" with text that is not JSON: ${text.slice(0, 120)}`, 'run again, or use a model that follows JSON instructions (or model.provider none for template mode)', { field: role });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new DfError('invalid-schema', `the ${role} model's answer to "${label}" does not have the shape asked for: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, 'run again, or use a model that follows JSON instructions', { field: role });
  }
  return parsed.data;
}

const JSON_ONLY = 'Answer with one JSON object and nothing else.';

/** PM: frames a request into a change — title, brief, scope, requirements, risk. */
export async function pmFrame(ctx: RoleContext, request: string): Promise<Framing> {
  const a = await askJson(ctx, 'pm', 'frame the request', `You are the PM of a software team. Frame the request as one change. Project constitution:\n${constitution(ctx.ws)}\n${JSON_ONLY} Keys: title, problem, outcome, scope_paths (repository paths), requirements (FR ids), risk_tier (low|medium|high|critical).`, request, FramingAnswer);
  return { title: a.title.trim(), sections: { Problem: a.problem.trim(), Outcome: a.outcome.trim(), Request: request.trim() }, paths: a.scope_paths, frs: a.requirements, ...(a.risk_tier ? { risk: a.risk_tier } : {}) };
}

/** Designer: the spec's body (Markdown), from the brief and the constitution. */
export async function designerSpec(ctx: RoleContext, change: Change, brief: string, feedback?: string): Promise<string> {
  const a = await askJson(ctx, 'designer', 'write the spec', `You are the Designer. Write the specification of the change in Markdown: requirements as "### FR-n: title" headings with acceptance criteria, and non-functional requirements. Project constitution:\n${constitution(ctx.ws)}\n${JSON_ONLY} Key: spec.`, `Change ${change.id}: ${change.title}\nScope: ${change.scope.paths.join(', ') || '(open)'}\n\nBrief:\n${brief}${feedback ? `\n\nReviewer feedback to address:\n${feedback}` : ''}`, SpecAnswer);
  return a.spec.endsWith('\n') ? a.spec : `${a.spec}\n`;
}

/** Designer: the plan (Markdown) and a task breakdown, from the approved spec. */
export async function designerTasks(ctx: RoleContext, change: Change, spec: string): Promise<z.infer<typeof TasksAnswer>> {
  return askJson(ctx, 'designer', 'plan and break down into tasks', `You are the Designer. Write a short implementation plan in Markdown and break the work into small tasks, each naming the files it touches. ${JSON_ONLY} Keys: plan, tasks[{text, files, parallel}].`, `Change ${change.id}: ${change.title}\nScope: ${change.scope.paths.join(', ') || '(open)'}\n\nSpec:\n${spec}`, TasksAnswer);
}

/** Where an artifact of a change lives. */
export function artifactPath(ws: Workspace, id: string, name: string): string {
  return join(ws.layout.changesDir, id, name);
}

/**
 * Sets the body of `## heading` in a Markdown document (up to the next `## ` heading),
 * appending the section when the document has none. Other sections stay as they are.
 */
export function setSection(md: string, heading: string, body: string): string {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) return `${md.trimEnd()}\n\n## ${heading}\n${body}\n`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const tail = lines.slice(end);
  return [...lines.slice(0, start + 1), body, ...(tail.length ? [''] : []), ...tail].join('\n').replace(/\n*$/, '\n');
}
