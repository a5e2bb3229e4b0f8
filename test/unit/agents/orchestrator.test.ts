import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driveChange, type LoopEvent, type LoopSteps } from '../../../src/core/agents/orchestrator';
import { recordDecision } from '../../../src/core/approvals/approvals';
import { isDfError } from '../../../src/core/errors';
import { initProject } from '../../../src/core/init/init';
import type { ChatRequest, ChatResult, ModelPort } from '../../../src/core/model/modelPort';
import { noModel } from '../../../src/core/model/noneModel';
import { fixedClock } from '../../../src/core/ports/clock';
import { seededIds } from '../../../src/core/ports/ids';
import { layoutAt } from '../../../src/core/repo/layout';
import type { Stage } from '../../../src/core/schema/change';
import { Workspace } from '../../../src/core/workspace';
import { tempDir } from '../core/tempRepo';

const clock = fixedClock('2026-11-21T09:00:00Z');

async function project(): Promise<{ ws: Workspace; dir: string; cleanup: () => void }> {
  const { dir, cleanup } = tempDir();
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['config', 'user.name', 'Ada'], { cwd: dir });
  execFileSync('git', ['config', 'user.email', 'ada@example.com'], { cwd: dir });
  initProject(layoutAt(dir), clock);
  const ws = await Workspace.open({ cwd: dir, env: {}, clock, ids: seededIds('t') });
  return { ws, dir, cleanup };
}

/** An Implementer that does the work by marking every task done, and a Tester that passes. */
function fakeSteps(calls: string[]): LoopSteps {
  return {
    async implement(ws, ch) {
      calls.push(`implement ${ch}`);
      const f = join(ws.layout.changesDir, ch, 'tasks.md');
      writeFileSync(f, readFileSync(f, 'utf8').replace(/- \[ \]/g, '- [x]'));
      return { done: true, message: 'all done' };
    },
    async validate(ws, ch) {
      calls.push(`validate ${ch}`);
      await ws.store.update(ch, (c) => ({ ...c, qa_verdict: { verdict: 'PASS', reasons: ['tests pass'], at: ws.clock.nowIso() } }));
      return { verdict: 'PASS', reasons: ['tests pass'] };
    },
  };
}

/** A model answering by the label of the request (the roles label every request). */
function modelAnswering(answers: Record<string, string>): ModelPort & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const chat = async (req: ChatRequest): Promise<ChatResult> => {
    requests.push(req);
    const text = answers[req.label ?? ''];
    if (text === undefined) throw new Error(`no answer for ${req.label}`);
    return { text, toolCalls: [], finishReason: 'stop' };
  };
  return { provider: 'scripted', description: 'test', requests, chat, stream: () => (async function* () {})() } as ModelPort & { requests: ChatRequest[] };
}

describe('agent loop (orchestrator)', () => {
  let ws: Workspace;
  let cleanup: () => void;
  beforeEach(async () => ({ ws, cleanup } = await project()));
  afterEach(() => cleanup());
  const approve = (ch: string, stage: Stage) => recordDecision(ws, { chId: ch, stage, decision: 'approved' }, 'cor-test');

  it('template mode: frames, waits for each approval, hands off, implements, validates', async () => {
    const events: LoopEvent[] = [];
    const calls: string[] = [];
    const run = (ch?: string) => driveChange(ws, { ...(ch ? { ch } : { request: 'Rate-limit the login endpoint\nFive tries a minute.' }), model: noModel, seed: 7, steps: fakeSteps(calls), emit: (e) => events.push(e) });

    const first = await run();
    assert.deepEqual(first, { ch_id: 'CH-001', state: 'waiting' });
    assert.match(readFileSync(join(ws.layout.changesDir, 'CH-001', 'brief.md'), 'utf8'), /## Request\nRate-limit the login endpoint\nFive tries a minute\.\n$/);
    assert.deepEqual(events.at(-1), { kind: 'waiting', ch_id: 'CH-001', stage: 'frame', who: 'a human approver (git identity)', command: 'dynaforge approve CH-001 --stage frame', why: 'the brief frames the change: a person approves it before any design work' });
    assert.deepEqual((await run('CH-001')).state, 'waiting', 'nothing moves without the approval');

    await approve('CH-001', 'frame');
    assert.equal((await run('CH-001')).state, 'waiting');
    assert.equal(events.filter((e) => e.kind === 'artifact' && e.file.endsWith('spec.md')).length, 1);
    assert.deepEqual(events.at(-1)?.kind === 'waiting' && events.at(-1), { kind: 'waiting', ch_id: 'CH-001', stage: 'spec', who: 'a human approver (git identity)', command: 'dynaforge approve CH-001 --stage spec', why: 'the Designer wrote the spec: a person approves it before planning' });

    writeFileSync(join(ws.layout.changesDir, 'CH-001', 'spec.md'), `${readFileSync(join(ws.layout.changesDir, 'CH-001', 'spec.md'), 'utf8')}\n### FR-1: Limit attempts\n`);
    await approve('CH-001', 'spec');
    await run('CH-001');
    assert.match(readFileSync(join(ws.layout.changesDir, 'CH-001', 'tasks.md'), 'utf8'), /- \[ \] T-001 Implement FR-1: Limit attempts/);
    await approve('CH-001', 'execute');
    const last = await run('CH-001');
    assert.equal(last.state, 'waiting');
    assert.deepEqual(calls, ['implement CH-001', 'validate CH-001']);
    assert.equal(events.at(-1)?.kind === 'waiting' ? events.at(-1)?.kind && (events.at(-1) as { stage: string }).stage : '', 'validate');

    const handoffs = ws.audit.read('changes/CH-001').filter((e) => e.type === 'agent.handoff').map((e) => `${String(e.payload.from)}→${String(e.payload.to)}@${String(e.payload.stage)}`);
    assert.deepEqual(handoffs, ['pm→designer@spec', 'pm→designer@execute', 'pm→implementer@execute', 'implementer→tester@validate']);
    const h = ws.audit.read('changes/CH-001').find((e) => e.type === 'agent.handoff');
    assert.equal(h?.actor.kind, 'agent');
    assert.equal(h?.payload.seed, 7);
    assert.ok(typeof (h?.payload.artifacts as Record<string, string>)['brief.md'] === 'string', 'the handoff records the artifact hashes');
  });

  it('with a model: the PM frames, the Designer writes the spec and tasks with files; a denial goes back to the Designer with its note', async () => {
    const model = modelAnswering({
      'pm: frame the request': JSON.stringify({ title: 'Rate limit login', problem: 'Brute force.', outcome: 'Five tries a minute.', scope_paths: ['src'], requirements: ['FR-1'], risk_tier: 'high' }),
      'designer: write the spec': JSON.stringify({ spec: '# Spec\n\n### FR-1: Limit attempts\n\nAcceptance: the sixth try in a minute gets 429.\n' }),
      'designer: plan and break down into tasks': '```json\n' + JSON.stringify({ plan: '# Plan\n\nA token bucket.\n', tasks: [{ text: 'Add a token bucket', files: ['src/bucket.ts'], parallel: false }, { text: 'Test the limit', files: ['test/bucket.test.ts'], parallel: true }] }) + '\n```',
    });
    const steps = fakeSteps([]);
    const run = (ch?: string) => driveChange(ws, { ...(ch ? { ch } : { request: 'stop brute force on login' }), model, seed: 1, steps, emit: () => undefined });
    await run();
    const change = ws.store.read('CH-001');
    assert.deepEqual([change.title, change.risk_tier, change.scope.paths, change.scope.frs], ['Rate limit login', 'high', ['src'], ['FR-1']]);
    const brief = readFileSync(join(ws.layout.changesDir, 'CH-001', 'brief.md'), 'utf8');
    assert.match(brief, /## Problem\nBrute force\.\n\n## Outcome\nFive tries a minute\.\n\n## Scope\n- `src`\n/, 'the PM fills the template sections, once each');
    assert.doesNotMatch(brief, /What is wrong or missing/);
    assert.match(brief, /## Request\nstop brute force on login\n$/);
    await approve('CH-001', 'frame');
    await run('CH-001');
    const spec = readFileSync(join(ws.layout.changesDir, 'CH-001', 'spec.md'), 'utf8');
    assert.match(spec, /^---\ndynaforge:\n {2}artifact: spec\n {2}change: CH-001\n {2}derived_from:\n {4}brief\.md: [0-9a-f]{64}\n---\n# Spec/);
    await recordDecision(ws, { chId: 'CH-001', stage: 'spec', decision: 'denied', note: 'say what happens on the sixth try' }, 'cor-deny');
    await run('CH-001');
    assert.match(model.requests.at(-1)?.messages[1]?.content ?? '', /Reviewer feedback to address:\nsay what happens on the sixth try/);
    await approve('CH-001', 'spec');
    await run('CH-001');
    const tasks = readFileSync(join(ws.layout.changesDir, 'CH-001', 'tasks.md'), 'utf8');
    assert.match(tasks, /- \[ \] T-001 Add a token bucket \(files: src\/bucket\.ts\) \(src: plan\)/);
    assert.match(tasks, /- \[ \] T-002 \[P\] Test the limit \(files: test\/bucket\.test\.ts\) \(src: plan\)/);
    assert.ok(model.requests.every((r) => r.seed === 1 && r.temperature === 0), 'seed and temperature are passed on');
  });

  it('an answer that is not the JSON asked for is a clear error, and nothing is written', async () => {
    const model = modelAnswering({ 'pm: frame the request': 'Sure! Here is a title: Login' });
    await assert.rejects(driveChange(ws, { request: 'x', model, seed: 1, steps: fakeSteps([]), emit: () => undefined }), (e: unknown) => isDfError(e) && /not JSON/.test(e.message));
    assert.deepEqual(ws.store.list().changes, []);
  });

  it('one loop per change: a second concurrent run is refused', async () => {
    await driveChange(ws, { request: 'x', model: noModel, seed: 1, steps: fakeSteps([]), emit: () => undefined });
    await approve('CH-001', 'frame');
    const steps = fakeSteps([]);
    const results = await Promise.allSettled([1, 2].map(() => driveChange(ws, { ch: 'CH-001', model: noModel, seed: 1, steps, emit: () => undefined })));
    const refused = results.filter((r) => r.status === 'rejected' && isDfError(r.reason) && /already running/.test(r.reason.message));
    assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.status)));
  });
});
