import { join } from 'node:path';
import { parseArtifact } from '../artifacts/frontMatter';
import { readTextIfExists } from '../fs/atomic';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../model/modelPort';
import { changeDir, type Layout } from '../repo/layout';
import type { Change } from '../schema/change';
import type { Config } from '../schema/config';
import type { ParsedPlan } from './plan';
import type { RunTask, TaskState } from './runState';

/**
 * The words the Implementer says to the model. Only repository-relative paths and repository
 * content go in (never a time, a run id or an absolute path): the same project gives the same
 * requests, which is what lets a cassette replay a run.
 */
const ARTIFACT_CHARS = 6000;

export interface PlanContext {
  readonly change: Change;
  /** Bodies of brief.md, spec.md, plan.md and tasks.md, when present. */
  readonly artifacts: { name: string; body: string }[];
  readonly tests: Config['tests'];
  /** Files of the repository inside the scope (sorted, capped). */
  readonly scopeFiles: string[];
  /** Ids of the tasks.md tasks still open: the ones a run task may complete. */
  readonly openTasks: string[];
}

export function planContext(layout: Layout, change: Change, tests: Config['tests'], scopeFiles: string[], openTasks: string[]): PlanContext {
  const artifacts: PlanContext['artifacts'] = [];
  for (const name of ['brief.md', 'spec.md', 'plan.md', 'tasks.md']) {
    const text = readTextIfExists(join(changeDir(layout, change.id), name));
    if (text === undefined) continue;
    const body = parseArtifact(text, `changes/${change.id}/${name}`).body.trim();
    artifacts.push({ name, body: body.length > ARTIFACT_CHARS ? `${body.slice(0, ARTIFACT_CHARS)}\n[… cut at ${ARTIFACT_CHARS} characters]` : body });
  }
  return { change, artifacts, tests, scopeFiles, openTasks };
}

function changeBlock(ctx: PlanContext): string {
  const c = ctx.change;
  return [
    `Change ${c.id}: ${c.title}`,
    `Risk tier: ${c.risk_tier}. Requirements: ${c.scope.frs.join(', ') || 'none named'}.`,
    `Scope (the only paths you may write): ${c.scope.paths.join(', ') || '(empty: nothing may be written)'}`,
    `Declared test commands: ${ctx.tests.map((t) => `${t.name} (${t.command})`).join('; ') || 'none'}`,
    `Files in scope now: ${ctx.scopeFiles.join(', ') || 'none yet'}`,
  ].join('\n');
}

export const PLAN_SYSTEM = [
  'You are the Implementer of Dynaforge. You turn a change into a short, ordered list of small tasks, each of which you will later carry out with tools (read, search, write files, run the declared tests).',
  'Answer with ONE JSON object and nothing else, of exactly this shape:',
  '{"spec": {"summary": "what the change achieves, in one or two sentences", "requirements": ["…"]},',
  ' "plan": {"approach": ["step of the approach", "…"], "verification": ["how it will be verified", "…"]},',
  ' "tasks": [{"id": "T-003 (only when the task implements that task of tasks.md; otherwise leave id out)", "title": "imperative, one line", "files": ["paths relative to the repository root, inside the scope"], "verify": ["names of declared test commands that show the task works"]}]}',
  'Rules: every task must change at least one file and is done only when its verification passes; order tasks so each builds on the earlier ones; write tests as their own tasks or within the task they verify; use only declared test command names in "verify".',
].join('\n');

export function planMessages(ctx: PlanContext): ChatMessage[] {
  const docs = ctx.artifacts.map((a) => `--- ${a.name} ---\n${a.body}`).join('\n\n');
  return [
    { role: 'system', content: PLAN_SYSTEM },
    { role: 'user', content: `${changeBlock(ctx)}\n\n${docs || '(the change has no brief, spec, plan or tasks yet: plan from its title)'}\n\nAnswer with the JSON plan.` },
  ];
}

export function planRepair(error: string): ChatMessage {
  return { role: 'user', content: `That answer is not a valid plan: ${error}. Answer again with the JSON object only, in the shape given.` };
}

export const TASK_SYSTEM = [
  'You are the Implementer of Dynaforge, carrying out one task of a change with tools. Paths are relative to the repository root.',
  "Read before you write. Write only inside the change's scope; .git/, audit/, .dynaforge/, artifacts/work/ and changes/*/change.yaml are never writable. A refused write tells you why: act on it.",
  'Run the verification (run_verification) after your changes and fix what fails.',
  'When the task is complete, answer WITHOUT calling a tool: a short summary of what you changed and how it was verified. Dynaforge then checks the evidence itself: a task is marked done only when it changed files and its verification passes. If you cannot complete the task, say why in that answer.',
].join('\n');

export function taskMessages(ctx: PlanContext, plan: Pick<ParsedPlan, 'spec' | 'plan'>, tasks: readonly RunTask[], states: readonly TaskState[], task: RunTask): ChatMessage[] {
  const index = tasks.indexOf(task);
  const earlier = tasks.slice(0, index).map((t) => {
    const s = states.find((x) => x.id === t.id);
    return `- ${t.id} ${t.title}: ${s?.status ?? 'pending'}${s?.files.length ? ` (changed ${s.files.join(', ')})` : ''}`;
  });
  const verify = task.verify.length ? task.verify.join(', ') : ctx.tests.map((t) => t.name).join(', ') || 'none declared';
  return [
    { role: 'system', content: TASK_SYSTEM },
    {
      role: 'user',
      content: [
        changeBlock(ctx),
        '',
        `Spec: ${plan.spec.summary}`,
        ...plan.spec.requirements.map((r) => `- ${r}`),
        'Approach:',
        ...plan.plan.approach.map((a) => `- ${a}`),
        ...(earlier.length ? ['Earlier tasks:', ...earlier] : []),
        '',
        `Your task (${task.id}, ${index + 1} of ${tasks.length}): ${task.title}`,
        `Files it is expected to touch: ${task.files.join(', ') || 'not given'}`,
        `Verification that must pass: ${verify}`,
      ].join('\n'),
    },
  ];
}

/** The plan request: no tools, temperature 0, the run's seed. */
export function planRequest(messages: readonly ChatMessage[], seed: number): ChatRequest {
  return { label: 'implementer: plan', messages, temperature: 0, seed };
}

/** A task step's request: the tools, temperature 0, the run's seed. */
export function taskRequest(messages: readonly ChatMessage[], seed: number, task: string, tools: readonly ToolDefinition[]): ChatRequest {
  return { label: `implementer: ${task}`, messages, tools, toolChoice: 'auto', temperature: 0, seed };
}
