import { join } from 'node:path';
import { sha256 } from '../canonical';
import { mergeTasks } from '../artifacts/deriveTasks';
import { deriveAndRecord } from '../artifacts/deriveRecorded';
import { parseArtifact, renderArtifact } from '../artifacts/frontMatter';
import { formatTasks, parseTasks } from '../artifacts/tasksFormat';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import type { ModelPort } from '../model/modelPort';
import { changeDir } from '../repo/layout';
import type { Change, Stage } from '../schema/change';
import { statusOf } from '../status/changeStatus';
import { renderTemplate } from '../store/changeStore';
import { createRecordedChange } from '../store/recorded';
import type { Workspace } from '../workspace';
import { openTaskIds } from '../implementer/tasksMd';
import { agentActor, designerSpec, designerTasks, pmFrame, setSection, type Framing, type Role, type RoleContext } from './roles';

/** What the loop reports as it goes: faces render these live (CLI narrative, chat stream, tree refresh). */
export type LoopEvent =
  | { readonly kind: 'handoff'; readonly from: Role | 'human'; readonly to: Role; readonly stage: Stage; readonly ch_id: string }
  | { readonly kind: 'artifact'; readonly ch_id: string; readonly file: string; readonly action: 'created' | 'refreshed' | 'unchanged'; readonly by: Role }
  | { readonly kind: 'waiting'; readonly ch_id: string; readonly stage: Stage; readonly who: string; readonly command: string; readonly why: string }
  | { readonly kind: 'step'; readonly ch_id: string; readonly role: Role; readonly message: string }
  | { readonly kind: 'blocked'; readonly ch_id: string; readonly stage: Stage; readonly message: string; readonly fix: string }
  | { readonly kind: 'done'; readonly ch_id: string; readonly lifecycle: string };

/** The Implementer and Tester as the loop calls them (composed by the face: see src/cli/commands/run.ts). */
export interface LoopSteps {
  /** Executes the change's open tasks; resolves when they are all done, or says why not. */
  implement(ws: Workspace, ch: string, ctx: { seed: number; signal?: AbortSignal; emit: (e: LoopEvent) => void }): Promise<{ done: boolean; message: string }>;
  /** Runs the Tester and QA policy; the verdict is recorded on the change. */
  validate(ws: Workspace, ch: string, ctx: { seed: number; signal?: AbortSignal; emit: (e: LoopEvent) => void }): Promise<{ verdict: string; reasons: string[] }>;
}

export interface LoopOptions {
  /** The change to drive; absent with `request`: the PM frames a new one. */
  readonly ch?: string;
  readonly request?: string;
  readonly model: ModelPort;
  readonly seed: number;
  readonly steps: LoopSteps;
  readonly signal?: AbortSignal;
  readonly emit: (e: LoopEvent) => void;
}

export interface LoopOutcome {
  readonly ch_id: string;
  /** `waiting`: a human must decide (see the last waiting event); `blocked`: something failed; `done`: packaged. */
  readonly state: 'waiting' | 'blocked' | 'done';
}

/**
 * The PM's loop over one change (DESIGN.md §6): it moves the change through the stages,
 * honouring the gates, handing work to the Designer, Implementer and Tester, and stopping
 * visibly wherever a human must approve. It is re-entrant: every decision is taken from the
 * change's state on disk, so after `approve`, running it again continues. One loop per change
 * at a time (a lock); cancellation through the AbortSignal stops between steps.
 */
export async function driveChange(ws: Workspace, opts: LoopOptions): Promise<LoopOutcome> {
  const ctx: RoleContext = { ws, model: opts.model, seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}) };
  const id = opts.ch ?? (await frameNew(ws, ctx, opts));
  return withLock(join(ws.layout.lockDir, `loop-${id}`), () => loop(ws, ctx, opts, id), `the agent loop of ${id}`, { wait: false }).catch((e: unknown) => {
    if (e instanceof DfError && e.code === 'lock-timeout') throw new DfError('conflict', `the agent loop of ${id} is already running`, 'wait for it to finish (or stop it), then run again', { field: 'change id' });
    throw e;
  });
}

async function frameNew(ws: Workspace, ctx: RoleContext, opts: LoopOptions): Promise<string> {
  if (!opts.request?.trim()) throw new DfError('usage', 'which change? give a change id, or --request "what you want" for the PM to frame a new one', 'e.g. dynaforge run --request "Rate-limit the login endpoint"', { field: '--request' });
  const framing = ctx.model.provider === 'none' ? templateFraming(opts.request) : await pmFrame(ctx, opts.request);
  const change = await createRecordedChange(ws, { title: framing.title, origin: 'idea', paths: framing.paths, frs: framing.frs, ...(framing.risk ? { risk: framing.risk } : {}) }, agentActor('pm'), ws.ids.next('cor'));
  const brief = Object.entries(framing.sections).reduce((md, [heading, body]) => setSection(md, heading, body), renderTemplate(ws.store.template('brief'), change));
  writeFileAtomicSync(join(changeDir(ws.layout, change.id), 'brief.md'), brief, ws.store.relFile(change.id, 'brief.md'));
  opts.emit({ kind: 'artifact', ch_id: change.id, file: ws.store.relFile(change.id, 'brief.md'), action: 'created', by: 'pm' });
  return change.id;
}

/** Template mode (no model): the request becomes the title and the brief's Request section. */
function templateFraming(request: string): Framing {
  const first = request.trim().split('\n')[0] ?? request;
  return { title: first.slice(0, 100), sections: { Request: request.trim() }, paths: [], frs: [] };
}

async function loop(ws: Workspace, ctx: RoleContext, opts: LoopOptions, id: string): Promise<LoopOutcome> {
  const waiting = (stage: Stage, why: string): LoopOutcome => {
    opts.emit({ kind: 'waiting', ch_id: id, stage, who: 'a human approver (git identity)', command: `dynaforge approve ${id} --stage ${stage}`, why });
    return { ch_id: id, state: 'waiting' };
  };
  const revised = new Set<Stage>();
  for (let guard = 0; guard < 12; guard++) {
    if (opts.signal?.aborted) throw new DfError('conflict', `the loop of ${id} was cancelled`, `run it again to continue: dynaforge run ${id}`);
    const change = ws.store.read(id);
    if (change.status !== 'open') {
      opts.emit({ kind: 'done', ch_id: id, lifecycle: statusOf(ws, change).lifecycle });
      return { ch_id: id, state: 'done' };
    }
    const status = statusOf(ws, change);
    const artifacts = ws.store.artifacts(id);
    // A denial is addressed once an artifact it covered has changed: then it waits for a new decision.
    const lastDecision = change.approvals.filter((a) => a.stage === status.stage && !a.sub_scope).at(-1);
    const denied = lastDecision?.decision === 'denied' && Object.entries(lastDecision.artifacts).every(([f, h]) => artifacts[f] === h) ? lastDecision : undefined;
    switch (status.stage) {
      case 'frame':
        return waiting('frame', 'the brief frames the change: a person approves it before any design work');
      case 'spec': {
        if (!('spec.md' in artifacts) || denied) {
          const feedback = denied?.note;
          if (denied && ctx.model.provider === 'none') return waiting('spec', `the spec was denied; edit changes/${id}/spec.md to address it, then approve`);
          if (denied && revised.has('spec')) return waiting('spec', `the Designer's revision left spec.md as it was; edit changes/${id}/spec.md to address the denial, then approve`);
          revised.add('spec');
          await handoff(ws, opts, id, 'pm', 'designer', 'spec');
          await writeSpec(ws, ctx, opts, change, feedback);
          continue;
        }
        return waiting('spec', 'the Designer wrote the spec: a person approves it before planning');
      }
      case 'execute': {
        if (!('plan.md' in artifacts) || !('tasks.md' in artifacts)) {
          await handoff(ws, opts, id, 'pm', 'designer', 'execute');
          await writePlanAndTasks(ws, ctx, opts, change);
          continue;
        }
        return waiting('execute', 'plan and tasks are ready: a person approves them before the Implementer starts');
      }
      case 'validate': {
        if (!allTasksDone(ws, id)) {
          await handoff(ws, opts, id, 'pm', 'implementer', 'execute');
          const r = await opts.steps.implement(ws, id, { seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}), emit: opts.emit });
          if (!r.done) {
            opts.emit({ kind: 'blocked', ch_id: id, stage: 'execute', message: r.message, fix: ctx.model.provider === 'none' ? `do the tasks: dynaforge task next ${id}, task start / task done` : `see the concerns (dynaforge concern list -c ${id}), then run again` });
            return { ch_id: id, state: 'blocked' };
          }
          continue;
        }
        if (!change.qa_verdict || (change.qa_verdict.verdict !== 'PASS' && change.qa_verdict.verdict !== 'WAIVED') || denied) {
          await handoff(ws, opts, id, 'implementer', 'tester', 'validate');
          const v = await opts.steps.validate(ws, id, { seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}), emit: opts.emit });
          if (v.verdict !== 'PASS' && v.verdict !== 'WAIVED') {
            opts.emit({ kind: 'blocked', ch_id: id, stage: 'validate', message: `the Tester's verdict is ${v.verdict}: ${v.reasons.join('; ')}`, fix: `fix and run again (Execute ↔ Validate), or waive: dynaforge waive ${id} --note "…"` });
            return { ch_id: id, state: 'blocked' };
          }
        }
        return waiting('validate', `the Tester's verdict is ${ws.store.read(id).qa_verdict?.verdict ?? '?'}: a person approves the validation`);
      }
      case 'package':
        return waiting('package', 'validated: a person approves the package (promotion re-runs Validate and Package)');
      case 'cleanup':
        opts.emit({ kind: 'done', ch_id: id, lifecycle: status.lifecycle });
        return { ch_id: id, state: 'done' };
    }
  }
  throw new Error(`the loop of ${id} made no progress`); // a bug: every branch above writes or returns
}

async function handoff(ws: Workspace, opts: LoopOptions, id: string, from: Role, to: Role, stage: Stage): Promise<void> {
  await ws.audit.append({ type: 'agent.handoff', ch_id: id, actor: agentActor(from), correlation_id: ws.ids.next('cor'), payload: { from, to, stage, seed: opts.seed, role: to, artifacts: ws.store.artifacts(id) } });
  opts.emit({ kind: 'handoff', from, to, stage, ch_id: id });
}

async function writeSpec(ws: Workspace, ctx: RoleContext, opts: LoopOptions, change: Change, feedback: string | undefined): Promise<void> {
  const actor = agentActor('designer');
  if (ctx.model.provider === 'none') {
    const r = await deriveAndRecord(ws, change.id, 'spec', actor, ws.ids.next('cor'));
    opts.emit({ kind: 'artifact', ch_id: change.id, file: r.file, action: r.action, by: 'designer' });
    return;
  }
  const dir = changeDir(ws.layout, change.id);
  const briefText = readTextIfExists(join(dir, 'brief.md')) ?? '';
  const body = await designerSpec(ctx, change, parseArtifact(briefText, ws.store.relFile(change.id, 'brief.md')).body, feedback);
  await writeDerived(ws, opts, change.id, 'spec', body, { 'brief.md': sha256(briefText) });
}

async function writePlanAndTasks(ws: Workspace, ctx: RoleContext, opts: LoopOptions, change: Change): Promise<void> {
  const actor = agentActor('designer');
  if (ctx.model.provider === 'none') {
    for (const a of ['plan', 'tasks'] as const) {
      const r = await deriveAndRecord(ws, change.id, a, actor, ws.ids.next('cor'));
      opts.emit({ kind: 'artifact', ch_id: change.id, file: r.file, action: r.action, by: 'designer' });
    }
    return;
  }
  const dir = changeDir(ws.layout, change.id);
  const specText = readTextIfExists(join(dir, 'spec.md')) ?? '';
  const answer = await designerTasks(ctx, change, parseArtifact(specText, ws.store.relFile(change.id, 'spec.md')).body);
  const planBody = answer.plan.endsWith('\n') ? answer.plan : `${answer.plan}\n`;
  await writeDerived(ws, opts, change.id, 'plan', planBody, { 'spec.md': sha256(specText) });
  const planText = readTextIfExists(join(dir, 'plan.md')) ?? '';
  const current = readTextIfExists(join(dir, 'tasks.md'));
  const base = current === undefined ? `# Tasks — ${change.id}\n\n` : parseArtifact(current, ws.store.relFile(change.id, 'tasks.md')).body;
  const merged = mergeTasks(parseTasks(base).lines, answer.tasks.map((t) => ({ text: t.text.replace(/\s+/g, ' ').trim(), src: 'plan' as const })));
  const byText = new Map(answer.tasks.map((t) => [t.text.replace(/\s+/g, ' ').trim(), t]));
  const lines = merged.lines.map((l) => {
    if (l.kind !== 'task' || l.task.files.length) return l;
    const t = byText.get(l.task.text);
    return t ? { kind: 'task' as const, task: { ...l.task, files: t.files, parallel: t.parallel } } : l;
  });
  const body = formatTasks(lines);
  await writeDerived(ws, opts, change.id, 'tasks', body.endsWith('\n') ? body : `${body}\n`, { 'spec.md': sha256(specText), 'plan.md': sha256(planText) });
}

async function writeDerived(ws: Workspace, opts: LoopOptions, id: string, artifact: 'spec' | 'plan' | 'tasks', body: string, from: Record<string, string>): Promise<void> {
  const rel = ws.store.relFile(id, `${artifact}.md`);
  const file = join(changeDir(ws.layout, id), `${artifact}.md`);
  const before = readTextIfExists(file);
  const text = renderArtifact({ artifact, change: id, derived_from: from }, body);
  const action = before === undefined ? 'created' : before === text ? 'unchanged' : 'refreshed';
  if (action !== 'unchanged') writeFileAtomicSync(file, text, rel);
  await ws.audit.append({ type: 'artifact.derived', ch_id: id, actor: agentActor('designer'), correlation_id: ws.ids.next('cor'), payload: { artifact: `${artifact}.md`, action, hash: sha256(text), derived_from: from } });
  opts.emit({ kind: 'artifact', ch_id: id, file: rel, action, by: 'designer' });
}

/** Every task of tasks.md is done or dropped (false while there is no tasks.md). */
export function allTasksDone(ws: Workspace, id: string): boolean {
  return 'tasks.md' in ws.store.artifacts(id) && openTaskIds(ws.layout, id).length === 0;
}
