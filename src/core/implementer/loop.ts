import { raiseConcern, type ConcernContext } from '../concerns/concerns';
import { isDfError } from '../errors';
import { isTestFile } from '../impact/coChange';
import { isModelError } from '../model/modelError';
import { collectStream, type ChatMessage, type ChatRequest, type ChatResult, type ModelPort } from '../model/modelPort';
import { requestSummary } from '../model/requestHash';
import { excerpt } from '../model/toolCalls';
import { linkRunConcern, raiseRunConcern } from '../retention/runConcern';
import type { Actor, AuditEventType, AuditPayload } from '../schema/audit';
import type { Layout } from '../repo/layout';
import type { Config } from '../schema/config';
import type { Run, RunStatus } from '../schema/run';
import { IMPLEMENTER_CONCERN_SOURCE } from '../tasks/taskConcerns';
import type { Workspace } from '../workspace';
import type { ImplementerEvent, ProgressListener } from './events';
import type { FileTracker, WriteOutcome } from './fileTracker';
import { parsePlan, type ParsedPlan } from './plan';
import { planMessages, planRepair, planRequest, taskMessages, taskRequest, type PlanContext } from './prompts';
import type { RunFolder } from './runFolder';
import type { RunWriter } from './runWriter';
import type { Refused, RunState, RunTask, TaskState, Verification } from './runState';
import { runTool, TOOL_DEFINITIONS } from './tools/registry';
import { ToolFailure, type ToolContext } from './tools/tool';
import type { Verifier } from './verifier';
import { judgeClaim } from './verdict';

/** Who the Implementer's events and concerns are from. */
export const IMPLEMENTER_ACTOR: Actor = { kind: 'agent', id: 'dynaforge-implementer', role: 'implementer' };

/** The run was cancelled (AbortSignal): it stops where it is, marked aborted, resumable. */
export class Cancelled extends Error {
  override readonly name = 'Cancelled';
}
class BudgetSpent extends Error {}

export interface LoopDeps {
  readonly ws: Workspace;
  readonly model: ModelPort;
  readonly verifier: Verifier;
  readonly correlationId: string;
  readonly onEvent?: ProgressListener;
  readonly signal?: AbortSignal;
  /** Where file writes go (runWriter.ts); the file system when absent. */
  readonly writer?: RunWriter;
}

/** The ephemeral spec, plan and task list of a run (spec.json, plan.json, tasks.json). */
export type RunPlan = Pick<ParsedPlan, 'spec' | 'plan' | 'tasks'>;

/** What the concern explaining a run that stopped says, and its evidence after the run folder. */
export interface RunStop {
  readonly summary: string;
  readonly evidence: string[];
}

export interface LoopOutcome {
  readonly status: RunStatus;
  /** Why a run failed or stopped, for people. */
  readonly why?: string;
  /** A failure of the engine or the model port (not of the model's work), rethrown by the caller after the run is recorded. */
  readonly error?: unknown;
  /** The concern a blocked task raised that explains the failed run (`CH-###/C-n`). */
  readonly concern?: string;
  /** Otherwise, for a run that stopped (no valid plan, the budget spent, an error): the concern to raise about it. */
  readonly stop?: RunStop;
}

interface StepResult {
  readonly outcome: AuditPayload<'implementer.step_finished'>['outcome'];
  readonly tools: string[];
  /** The conversation to continue from; undefined when this step ended it. */
  readonly conversation?: { readonly task?: string; readonly messages: readonly ChatMessage[] };
}

/**
 * The Implementer micro-loop over one run folder (DESIGN.md §6): plan (one structured answer,
 * one retry), then task by task, each a conversation of tool-calling steps ending in a claim
 * that the evidence must back. State is saved after every finished step, so a run stopped
 * anywhere resumes after its last finished step.
 */
export class RunLoop {
  constructor(
    private readonly deps: LoopDeps,
    readonly folder: RunFolder,
    readonly run: Run,
    readonly state: RunState,
    readonly tracker: FileTracker,
    private readonly ctx: PlanContext,
    private plan: RunPlan | undefined,
    /** The files in scope as they are now: each task starts from a fresh look. */
    private readonly scopeFiles: () => Promise<string[]>,
  ) {}

  get ws(): Workspace {
    return this.deps.ws;
  }

  get layout(): Layout {
    return this.deps.ws.layout;
  }

  get tests(): Config['tests'] {
    return this.ctx.tests;
  }

  get runPlan(): RunPlan | undefined {
    return this.plan;
  }

  emit(e: ImplementerEvent): void {
    this.deps.onEvent?.(e);
  }

  async audit<T extends AuditEventType>(type: T, payload: AuditPayload<T>): Promise<void> {
    await this.deps.ws.audit.append({ type, ch_id: this.run.ch_id, actor: IMPLEMENTER_ACTOR, run_id: this.run.run_id, correlation_id: this.deps.correlationId, payload });
  }

  /** Who raises and resolves this run's concerns: the Implementer, with the run's correlation id. */
  get concernContext(): ConcernContext {
    return { layout: this.deps.ws.layout, audit: this.deps.ws.audit, actor: IMPLEMENTER_ACTOR, correlationId: this.deps.correlationId };
  }

  /** Raises a concern about something in this run (a task blocked, a write refused): its folder is the first evidence. */
  async concern(summary: string, evidence: string[] = []): Promise<string> {
    const c = await raiseConcern(this.concernContext, this.run.ch_id, {
      severity: 'medium',
      source: IMPLEMENTER_CONCERN_SOURCE,
      summary,
      evidence: [this.folder.rel, ...evidence],
    });
    this.noted(c.id, summary);
    return c.id;
  }

  private noted(id: string, summary: string): void {
    this.state.concerns.push(id);
    this.emit({ kind: 'concern', id: `${this.run.ch_id}/${id}`, summary });
  }

  /**
   * References a failed run from the concern that explains it, through retention (run.json
   * `concern`, written under the retention lock; the concern's evidence names the run folder):
   * a blocked task's concern, or for a run that stopped one raised now by raiseRunConcern.
   * After an engine error, the error is what the caller reports: a concern that cannot be
   * raised then is let go.
   */
  async referenceFailure(outcome: LoopOutcome): Promise<void> {
    const { ws, correlationId } = this.deps;
    if (outcome.concern) {
      this.run.concern = (await linkRunConcern(ws, this.folder.rel, outcome.concern)).concern;
      return;
    }
    if (!outcome.stop) return;
    try {
      const r = await raiseRunConcern(ws, this.folder.rel, { summary: outcome.stop.summary, evidence: outcome.stop.evidence, actor: IMPLEMENTER_ACTOR, correlationId });
      this.run.concern = r.ref;
      if (r.raised) this.noted(r.concern.id, r.concern.summary);
    } catch (e) {
      if (!outcome.error) throw e;
    }
  }

  /** Runs the loop to its end (or a stop); never throws for the model's mistakes. */
  async execute(): Promise<LoopOutcome> {
    try {
      const malformed = this.state.phase === 'plan' ? await this.planPhase() : undefined;
      if (malformed) return { status: 'failed', why: 'the model gave no valid plan', stop: malformed };
      await this.taskPhase();
      const open = this.state.tasks.filter((t) => t.status !== 'done');
      if (!open.length) return { status: 'succeeded' };
      const why = open.map((t) => `${t.id} ${t.status}${t.block ? ` (${t.block})` : ''}`).join(', ');
      const concern = open.find((t) => t.concern)?.concern;
      return { status: 'failed', why, ...(concern ? { concern: `${this.run.ch_id}/${concern}` } : {}) };
    } catch (e) {
      if (e instanceof Cancelled) return { status: 'aborted', why: 'cancelled' };
      if (e instanceof BudgetSpent) {
        const open = this.state.tasks.filter((t) => t.status === 'pending' || t.status === 'running').map((t) => t.id);
        const why = `the step budget of ${this.run.max_steps} is spent${open.length ? ` with ${open.join(', ')} not done` : ' before a plan was made'}`;
        return { status: 'failed', why, stop: this.stopped(`implementer ${this.label}: ${why}; resume with \`dynaforge implement resume ${this.run.ch_id} --max-steps N\``) };
      }
      const why = isDfError(e) ? e.message : e instanceof Error ? e.message : String(e);
      return { status: 'failed', why, error: e, stop: this.stopped(`implementer ${this.label} stopped: ${why}`) };
    }
  }

  /** A stop whose concern names, after the run folder, what outlives it: the tasks.md tasks not done and the files their run tasks changed. */
  private stopped(summary: string): RunStop {
    const open = (this.plan?.tasks ?? []).filter((t) => this.state.tasks.find((s) => s.id === t.id)?.status !== 'done');
    return { summary, evidence: [...new Set(open.flatMap((t) => [...(t.tasks_md ? [`tasks.md#${t.tasks_md}`] : []), ...this.changedFiles(t.id)]))] };
  }

  /** The files a task changed, as far as they can be read: a stopped run is recorded whatever state its files are in. */
  private changedFiles(task: string): string[] {
    try {
      return this.tracker.changedBy(task);
    } catch {
      return [];
    }
  }

  now(): string {
    return this.deps.ws.clock.nowIso();
  }

  get label(): string {
    return `run-${this.run.n} of ${this.run.ch_id}`;
  }

  /** Asks for the plan (one second chance); a stop when the model gave none that is valid. */
  private async planPhase(): Promise<RunStop | undefined> {
    let messages = (this.state.conversation?.messages as ChatMessage[] | undefined) ?? planMessages(this.ctx);
    for (;;) {
      let valid = false;
      let error = '';
      const r = await this.step('plan', undefined, planRequest(messages, this.run.seed), async (answer) => {
        const parsed = parsePlan(answer.text, this.tests.map((t) => t.name), this.ctx.openTasks);
        if (parsed.ok) {
          valid = true;
          await this.adoptPlan(parsed.plan);
          return { outcome: 'planned', tools: [] };
        }
        const retry = messages.filter((m) => m.role === 'assistant').length === 0;
        this.emit({ kind: 'plan-invalid', error: parsed.error, retry });
        if (retry) return { outcome: 'plan-invalid', tools: [], conversation: { messages: [...messages, { role: 'assistant', content: answer.text }, planRepair(parsed.error)] } };
        error = parsed.error;
        return { outcome: 'plan-invalid', tools: [] };
      });
      if (valid) return undefined;
      if (!r.conversation) return { summary: `implementer ${this.label}: the model's plan is malformed (${excerpt(error, 300)}); nothing was changed`, evidence: [this.folder.fileRel('transcript.jsonl')] };
      messages = [...r.conversation.messages];
    }
  }

  private async adoptPlan(p: ParsedPlan): Promise<void> {
    this.plan = { spec: p.spec, plan: p.plan, tasks: p.tasks };
    this.folder.writeJson('spec.json', p.spec);
    this.folder.writeJson('plan.json', p.plan);
    this.folder.writeJson('tasks.json', { version: 1, tasks: p.tasks });
    this.run.tasks_hash = p.tasksHash;
    this.state.phase = 'execute';
    this.state.tasks = p.tasks.map((t) => ({ id: t.id, status: 'pending', steps: 0, files: [], verification: [] }));
    for (const [i, t] of p.tasks.entries()) {
      await this.audit('implementer.task_generated', {
        task: t.id,
        index: i + 1,
        count: p.tasks.length,
        title: t.title,
        files: t.files,
        verify: t.verify,
        ...(t.tasks_md ? { tasks_md: t.tasks_md } : {}),
        tasks_hash: p.tasksHash,
      });
    }
    this.emit({ kind: 'plan-ready', tasks: p.tasks, tasks_hash: p.tasksHash, notes: p.notes });
  }

  private async taskPhase(): Promise<void> {
    const plan = this.plan as RunPlan;
    for (const task of plan.tasks) {
      const st = this.taskState(task.id);
      if (st.status === 'done' || st.status === 'blocked') continue;
      st.status = 'running';
      this.emit({ kind: 'task', task: task.id, state: 'running' });
      let messages: readonly ChatMessage[] =
        this.state.conversation?.task === task.id ? (this.state.conversation.messages as ChatMessage[]) : taskMessages({ ...this.ctx, scopeFiles: await this.scopeFiles() }, plan, plan.tasks, this.state.tasks, task);
      for (;;) {
        const r = await this.step('task', task.id, taskRequest(messages, this.run.seed, task.id, TOOL_DEFINITIONS), async (answer, step) => {
          const next: ChatMessage[] = [...messages, { role: 'assistant', content: answer.text, ...(answer.toolCalls.length ? { toolCalls: answer.toolCalls } : {}) }];
          if (answer.toolCalls.length) {
            const tools = this.toolContext(task, step);
            const transcript: unknown[] = [];
            for (const call of answer.toolCalls) {
              this.checkCancelled();
              const a = await runTool(call, tools);
              this.checkCancelled();
              next.push({ role: 'tool', toolCallId: call.id, content: a.content });
              transcript.push({ step, tool: call.name, id: call.id, ok: a.outcome.ok, result: excerpt(a.content, 2000) });
              this.emit({ kind: 'tool', step, task: task.id, name: call.name, ok: a.outcome.ok, summary: a.outcome.summary });
            }
            this.folder.transcript(transcript);
            return { outcome: 'tool-calls', tools: answer.toolCalls.map((c) => c.name), conversation: { task: task.id, messages: next } };
          }
          const done = await judgeClaim(this, task, st, answer.text, step);
          return { outcome: done ? 'done' : 'blocked', tools: [] };
        });
        if (!r.conversation) break;
        messages = r.conversation.messages;
      }
    }
  }

  taskState(id: string): TaskState {
    const st = this.state.tasks.find((t) => t.id === id);
    if (!st) throw new Error(`no state for ${id}`);
    return st;
  }

  checkCancelled(): void {
    if (this.deps.signal?.aborted) throw new Cancelled('cancelled');
  }

  /**
   * One step: a request to the model and what its answer leads to (`handle`). Checks the
   * budget and cancellation first; audits step_started/finished; saves state and run.json
   * after a finished step. A cancelled or failed step is audited as such and not counted.
   */
  private async step(phase: 'plan' | 'task', task: string | undefined, request: ChatRequest, handle: (answer: ChatResult, step: number) => Promise<StepResult>): Promise<StepResult> {
    this.checkCancelled();
    if (this.run.steps_done >= this.run.max_steps) throw new BudgetSpent();
    const step = this.run.steps_done + 1;
    const where = { step, kind: phase, ...(task ? { task } : {}) };
    await this.audit('implementer.step_started', where);
    this.emit({ kind: 'step-started', step, phase, ...(task ? { task } : {}) });
    let result: StepResult;
    try {
      const answer = await collectStream(this.deps.model.stream(request, this.deps.signal ? { signal: this.deps.signal } : {}), (e) => {
        if (e.kind === 'text') this.emit({ kind: 'model-text', step, text: e.text });
      });
      this.folder.transcript([{ step, ...(task ? { task } : {}), request: requestSummary(request), answer: { text: answer.text, tool_calls: answer.toolCalls, finish_reason: answer.finishReason } }]);
      result = await handle(answer, step);
    } catch (e) {
      const cancelled = e instanceof Cancelled || (isModelError(e) && e.reason === 'cancelled') || this.deps.signal?.aborted === true;
      await this.audit('implementer.step_finished', { ...where, outcome: cancelled ? 'cancelled' : 'error', tool_calls: [] });
      this.emit({ kind: 'step-finished', step, phase, ...(task ? { task } : {}), outcome: cancelled ? 'cancelled' : 'error' });
      throw cancelled ? new Cancelled('cancelled') : e;
    }
    this.run.steps_done = step;
    if (task) this.taskState(task).steps += 1;
    if (result.conversation) this.state.conversation = result.conversation as RunState['conversation'];
    else delete this.state.conversation;
    this.save();
    await this.audit('implementer.step_finished', { ...where, outcome: result.outcome, tool_calls: result.tools });
    this.emit({ kind: 'step-finished', step, phase, ...(task ? { task } : {}), outcome: result.outcome });
    return result;
  }

  save(): void {
    this.folder.writeState(this.state);
    this.folder.writeRun(this.run);
  }

  /** A write on behalf of the model (already confined) or of the engine (tasks.md, CHANGE_SUMMARY.md). */
  async write(rel: string, data: Buffer, task: string, step: number, byModel: boolean): Promise<WriteOutcome> {
    const firstInTask = !this.tracker.writtenBy(task).includes(rel);
    let w: WriteOutcome;
    try {
      w = await this.tracker.write(rel, data, { task, step });
    } catch (e) {
      if (byModel && isDfError(e) && e.where.file === rel) throw new ToolFailure(`${e.message}; ${e.fix}`);
      throw e;
    }
    if (w.action === 'unchanged' || !byModel) return w;
    await this.audit('implementer.file_changed', { task, path: rel, action: w.action, sha256: w.after, ...(w.before ? { before: w.before } : {}) });
    if (isTestFile(rel) && firstInTask) await this.audit('implementer.test_added', { task, path: rel, sha256: w.after });
    this.emit({ kind: 'file-changed', task, path: rel, action: w.action });
    return w;
  }

  /** Runs declared tests by name, recording each result against the task. */
  async verify(task: RunTask, names: readonly string[]): Promise<Verification[]> {
    const out: Verification[] = [];
    for (const name of names) {
      const test = this.tests.find((t) => t.name === name);
      this.checkCancelled();
      // A test the plan named but config.yaml no longer declares (changed before a resume) cannot pass.
      const r = test ? await this.deps.verifier(test, this.deps.signal) : { name, exit: null, timed_out: false, passed: false, output_tail: `${name} is not declared in config.yaml tests[]\n` };
      this.checkCancelled();
      const v: Verification = { ...r, after_writes: this.tracker.writes };
      this.taskState(task.id).verification.push(v);
      this.emit({ kind: 'verification', task: task.id, name, passed: v.passed, exit: v.exit, timed_out: v.timed_out });
      out.push(v);
    }
    return out;
  }

  private toolContext(task: RunTask, step: number): ToolContext {
    return {
      root: this.deps.ws.layout.root,
      confine: { root: this.deps.ws.layout.root, scope: this.ctx.change.scope.paths, chId: this.run.ch_id },
      tests: this.tests,
      write: (rel, data) => this.write(rel, data, task.id, step, true),
      verify: (names) => this.verify(task, names),
      refused: async (tool, r) => {
        const rec: Refused = { step, task: task.id, tool, path: r.rel, reason: r.reason, message: r.message };
        this.state.refused.push(rec);
        this.emit({ kind: 'refused', step, task: task.id, path: r.rel, reason: r.reason, message: r.message });
        if (r.reason === 'outside-scope' && !this.state.scope_reported.includes(r.rel)) {
          this.state.scope_reported.push(r.rel);
          await this.concern(`implementer ${this.label} (${task.id}) needed to write ${r.rel}, outside the scope of ${this.run.ch_id}: refused; widening the scope needs a person's approval (edit scope.paths)`);
        }
      },
    };
  }
}
