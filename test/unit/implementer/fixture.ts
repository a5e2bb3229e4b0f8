/** A throw-away project, a scripted fake model and a fake verifier for the Implementer's unit tests. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { initProject } from '../../../src/core/init/init';
import type { AbortBy } from '../../../src/core/implementer/abort';
import type { ImplementerEvent } from '../../../src/core/implementer/events';
import type { LoopDeps } from '../../../src/core/implementer/loop';
import type { Verifier } from '../../../src/core/implementer/verifier';
import { cancelledError } from '../../../src/core/model/modelError';
import type { ChatEvent, ChatOptions, ChatRequest, ChatResult, JsonObject, ModelPort } from '../../../src/core/model/modelPort';
import { replayStream } from '../../../src/core/model/scriptedModel';
import { fixedClock } from '../../../src/core/ports/clock';
import { seededIds } from '../../../src/core/ports/ids';
import { layoutAt } from '../../../src/core/repo/layout';
import type { AuditEvent } from '../../../src/core/schema/audit';
import { Workspace } from '../../../src/core/workspace';
import { GitFixture } from '../capture/gitFixture';
import { tempDir } from '../core/tempRepo';

export const NOW = '2026-11-21T09:00:00Z';

/** An answer that only talks (ends the task: the model's claim). */
export function say(text: string): ChatResult {
  return { text, toolCalls: [], finishReason: 'stop' };
}

/** An answer that calls tools, in order. */
export function call(...calls: [name: string, args: JsonObject][]): ChatResult {
  return { text: '', toolCalls: calls.map(([name, args], i) => ({ id: `call_${i + 1}`, name, arguments: args })), finishReason: 'tool_calls' };
}

export interface PlannedTask {
  readonly title: string;
  readonly id?: string;
  readonly files?: string[];
  readonly verify?: string[];
}

/** The model's plan answer, as JSON text. */
export function planAnswer(tasks: PlannedTask[], summary = 'Count things.'): ChatResult {
  return say(JSON.stringify({ spec: { summary, requirements: ['it counts'] }, plan: { approach: ['add a counter'], verification: ['unit tests'] }, tasks }));
}

export type Answer = ChatResult | ((request: ChatRequest) => ChatResult | Promise<ChatResult>);

/** A model that gives the scripted answers in order and keeps every request it got. */
export class FakeModel implements ModelPort {
  readonly provider = 'openai-compatible' as const;
  readonly description = 'fake model';
  readonly requests: ChatRequest[] = [];

  constructor(private readonly script: Answer[]) {}

  get left(): number {
    return this.script.length;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    return this.next(request, options);
  }

  async *stream(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<ChatEvent> {
    const result = await this.next(request, options);
    yield* replayStream(result, options.signal, this.description);
  }

  private async next(request: ChatRequest, options: ChatOptions): Promise<ChatResult> {
    if (options.signal?.aborted) throw cancelledError(this.description);
    this.requests.push(request);
    const answer = this.script.shift();
    if (!answer) throw new Error(`fake model: no answer scripted for request ${this.requests.length} (${request.label ?? ''})`);
    return typeof answer === 'function' ? answer(request) : answer;
  }
}

/** A verifier deciding each declared test by a function of the project; counts its runs. */
export function fakeVerifier(root: string, decide: (name: string, root: string) => boolean = () => true): Verifier & { runs: string[] } {
  const runs: string[] = [];
  const v = async (test: { name: string }) => {
    runs.push(test.name);
    const passed = decide(test.name, root);
    return { name: test.name, exit: passed ? 0 : 1, timed_out: false, passed, output_tail: passed ? 'ok\n' : 'FAIL: expected 2, got 1\n' };
  };
  return Object.assign(v, { runs });
}

export interface Project {
  readonly dir: string;
  readonly ws: Workspace;
  readonly chId: string;
  readonly events: ImplementerEvent[];
  write(rel: string, text: string): void;
  read(rel: string): string;
  exists(rel: string): boolean;
  deps(model: ModelPort, verifier?: Verifier, signal?: AbortSignal): LoopDeps;
  /** The change's audit events. */
  audit(): AuditEvent[];
  cleanup(): void;
}

export interface ProjectOptions {
  readonly scope?: string[];
  readonly tests?: string[];
  readonly tasksMd?: string;
  readonly files?: Record<string, string>;
  /** Make the project a git repository, everything committed (the Implementer then records blob ids and line counts). */
  readonly git?: boolean;
}

/** A project with one change (CH-001) whose scope is `src/` and `test/` unless told otherwise. */
export async function project(opts: ProjectOptions = {}): Promise<Project> {
  const { dir, cleanup } = tempDir('df-impl-');
  const clock = fixedClock(NOW);
  initProject(layoutAt(dir), clock);
  const config = join(dir, '.dynaforge', 'config.yaml');
  const tests = opts.tests ?? ['unit'];
  const block = tests.length ? `tests:\n${tests.map((t) => `  - name: ${t}\n    command: node check-${t}.js\n`).join('')}` : 'tests: []\n';
  writeFileSync(config, readFileSync(config, 'utf8').replace('tests: []\n', block));
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  for (const [rel, text] of Object.entries(opts.files ?? {})) write(rel, text);
  if (opts.git) new GitFixture(dir).commit('project');
  const ws = await Workspace.open({ cwd: dir, env: { DYNAFORGE_NOW: NOW }, clock, ids: seededIds('implementer-test') });
  const change = await ws.store.create({ title: 'Count things', paths: opts.scope ?? ['src', 'test'] });
  if (opts.tasksMd !== undefined) write(`changes/${change.id}/tasks.md`, opts.tasksMd);
  const events: ImplementerEvent[] = [];
  return {
    dir,
    ws,
    chId: change.id,
    events,
    write,
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
    exists: (rel) => existsSync(join(dir, rel)),
    deps: (model, verifier, signal) => ({ ws, model, verifier: verifier ?? fakeVerifier(dir), correlationId: 'cor-test', onEvent: (e) => events.push(e), ...(signal ? { signal } : {}) }),
    audit: () => ws.audit.read(`changes/${change.id}`),
    cleanup,
  };
}

/** Who aborts a run in the tests: the workspace's person, with a correlation id of its own. */
export function abortBy(ws: Workspace): AbortBy {
  return { actor: ws.actor('user'), correlationId: 'cor-abort' };
}

/** Every file below `dir` (relative path → bytes), for byte-for-byte comparisons. */
export function tree(dir: string, skip: (rel: string) => boolean = (r) => r.startsWith('.dynaforge/state')): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (p: string) => {
    const rel = relative(dir, p).split('\\').join('/');
    if (rel && skip(rel)) return;
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) visit(join(p, n));
    else out.set(rel, readFileSync(p).toString('base64'));
  };
  visit(dir);
  return out;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
