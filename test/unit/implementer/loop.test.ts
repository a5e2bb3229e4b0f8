import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concernsOf } from '../../../src/core/concerns/concerns';
import { startRun } from '../../../src/core/implementer/implement';
import { tasksHash } from '../../../src/core/implementer/plan';
import { RunSchema } from '../../../src/core/schema/run';
import { sha256 } from '../../../src/core/canonical';
import { call, FakeModel, fakeVerifier, planAnswer, project, say, type Project } from './fixture';

const TASKS_MD = '# Tasks\n\n- [ ] T-001 Add the counter\n- [ ] T-002 Document the counter\n';
const COUNTER = 'module.exports = (xs) => xs.length;\n';
const COUNTER_TEST = "const c = require('../src/counter');\nif (c([1, 2]) !== 2) throw new Error('bad');\n";

/** The implementer.* events of the change stream, as [type, task?] pairs. */
function trail(p: Project): string[] {
  return p
    .audit()
    .filter((e) => e.type.startsWith('implementer.'))
    .map((e) => `${e.type.slice('implementer.'.length)}${(e.payload as { task?: string }).task ? ` ${(e.payload as { task?: string }).task}` : ''}`);
}

describe('implementer: the loop with a fake model', function () {
  this.timeout(30_000);
  let p: Project;
  afterEach(() => p?.cleanup());

  it('happy path: plans, executes task by task with tools, marks tasks.md, writes CHANGE_SUMMARY.md, audits every step', async () => {
    p = await project({ tasksMd: TASKS_MD, files: { 'src/existing.js': 'module.exports = 1;\n' } });
    const model = new FakeModel([
      planAnswer([
        { id: 'T-001', title: 'Add the counter', files: ['src/counter.js', 'test/counter.test.js'], verify: ['unit'] },
        { title: 'Use the counter', files: ['src/existing.js'] },
      ]),
      call(['read_file', { path: 'src/existing.js' }], ['list_files', { path: 'src' }]),
      call(['write_file', { path: 'src/counter.js', content: COUNTER }], ['write_file', { path: 'test/counter.test.js', content: COUNTER_TEST }]),
      call(['run_verification', { names: ['unit'] }]),
      say('Added the counter and its test; unit passes.'),
      call(['apply_patch', { path: 'src/existing.js', edits: [{ search: '= 1;', replace: "= require('./counter');" }] }]),
      say('Wired the counter in.'),
    ]);
    const verifier = fakeVerifier(p.dir, (_n, root) => existsSync(join(root, 'src/counter.js')));
    const r = await startRun(p.deps(model, verifier), { chId: p.chId });

    assert.equal(r.run.status, 'succeeded');
    assert.equal(r.run.steps_done, 7);
    assert.equal(model.left, 0);
    assert.deepEqual(r.states.map((s) => [s.id, s.status, s.files]), [
      ['task-1', 'done', ['src/counter.js', 'test/counter.test.js']],
      ['task-2', 'done', ['src/existing.js']],
    ]);
    // task-1's verification was the model's own run (no write came after it); task-2's was run by the engine.
    assert.deepEqual(verifier.runs, ['unit', 'unit']);
    assert.equal(p.read('src/counter.js'), COUNTER);
    assert.equal(p.read('src/existing.js'), "module.exports = require('./counter');\n");
    assert.deepEqual(r.files.map((f) => [f.path, f.action]), [['src/counter.js', 'created'], ['src/existing.js', 'modified'], ['test/counter.test.js', 'created']]);

    // tasks.md: T-001 done with its evidence (durable, in evidence.json), the rest untouched.
    assert.equal(p.read(`changes/${p.chId}/tasks.md`), `# Tasks\n\n- [x] T-001 Add the counter (evidence: evidence.json#E-1)\n- [ ] T-002 Document the counter\n`);
    assert.deepEqual(r.tasks_md_done, ['T-001']);

    // run.json as the schema says, with the task list's hash.
    const run = RunSchema.parse(JSON.parse(p.read(`artifacts/work/${p.chId}/run-1/run.json`)));
    assert.deepEqual([run.status, run.n, run.seed, run.max_steps, run.steps_done, run.model, run.concern], ['succeeded', 1, 0, 50, 7, 'fake model', undefined]);
    assert.equal(run.tasks_hash, tasksHash(r.tasks));
    assert.ok(run.finished);
    for (const f of ['spec.json', 'plan.json', 'tasks.json', 'state.json', 'files.json', 'transcript.jsonl']) assert.ok(p.exists(`artifacts/work/${p.chId}/run-1/${f}`), f);

    const summary = p.read(`changes/${p.chId}/CHANGE_SUMMARY.md`);
    assert.match(summary, /### task-1: Add the counter \(T-001 in tasks\.md\) — done/);
    assert.match(summary, /\| `src\/counter\.js` \| created \| `[0-9a-f]{64}` \|/);
    assert.match(summary, /\| `src\/existing\.js` \| modified \|/);
    assert.match(summary, /Verification `unit`: passed \(exit 0\)/);

    assert.deepEqual(trail(p), [
      'step_started',
      'task_generated task-1',
      'task_generated task-2',
      'step_finished',
      'step_started task-1',
      'step_finished task-1',
      'step_started task-1',
      'file_changed task-1',
      'file_changed task-1',
      'test_added task-1',
      'step_finished task-1',
      'step_started task-1',
      'step_finished task-1',
      'step_started task-1',
      'verdict_pass task-1',
      'step_finished task-1',
      'step_started task-2',
      'file_changed task-2',
      'step_finished task-2',
      'step_started task-2',
      'verdict_pass task-2',
      'step_finished task-2',
    ]);
    const events = p.audit().filter((e) => e.type.startsWith('implementer.'));
    assert.ok(events.every((e) => e.run_id === run.run_id && e.ch_id === p.chId && e.actor.role === 'implementer'));
    const generated = events.filter((e) => e.type === 'implementer.task_generated');
    assert.ok(generated.every((e) => e.payload.tasks_hash === run.tasks_hash));
    assert.equal(generated[0]?.payload.tasks_md, 'T-001');
    const modified = events.find((e) => e.type === 'implementer.file_changed' && e.payload.path === 'src/existing.js');
    assert.deepEqual(modified?.payload, { task: 'task-2', path: 'src/existing.js', action: 'modified', sha256: sha256(p.read('src/existing.js')), before: sha256('module.exports = 1;\n') });
    const pass = events.find((e) => e.type === 'implementer.verdict_pass');
    assert.deepEqual(pass?.payload, { task: 'task-1', files: ['src/counter.js', 'test/counter.test.js'], verification: [{ name: 'unit', exit: 0, timed_out: false, passed: true }], tasks_md: 'T-001', evidence: 'evidence.json#E-1' });
    assert.deepEqual(concernsOf(p.ws.audit, p.chId), []);

    // What the model was asked: the plan without tools, each step with the six tools, seeded, temperature 0.
    assert.equal(model.requests[0]?.tools, undefined);
    assert.deepEqual(model.requests[1]?.tools?.map((t) => t.name), ['read_file', 'list_files', 'search', 'write_file', 'apply_patch', 'run_verification']);
    assert.ok(model.requests.every((q) => q.seed === 0 && q.temperature === 0));
    const toolAnswer = model.requests[2]?.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content) as Record<string, unknown>);
    assert.equal(toolAnswer?.[0]?.content, 'module.exports = 1;\n');
    assert.deepEqual(toolAnswer?.[1]?.files, ['src/existing.js']);
    assert.ok(model.requests.every((q) => !JSON.stringify(q.messages).includes(p.dir)), 'no absolute path reaches the model');

    // The live progress saw the same story.
    assert.deepEqual(p.events.filter((e) => e.kind === 'task').map((e) => (e.kind === 'task' ? `${e.task} ${e.state}` : '')), ['task-1 running', 'task-1 done', 'task-2 running', 'task-2 done']);
    assert.deepEqual(p.events.filter((e) => e.kind === 'file-changed').map((e) => (e.kind === 'file-changed' ? e.path : '')), ['src/counter.js', 'test/counter.test.js', 'src/existing.js']);
  });

  it('phantom completion: "done" without any change is not done — a concern, the task blocked, nothing marked', async () => {
    p = await project({ tasksMd: TASKS_MD });
    const model = new FakeModel([planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]), say('Done! The counter is implemented and all tests pass.')]);
    const verifier = fakeVerifier(p.dir);
    const r = await startRun(p.deps(model, verifier), { chId: p.chId });

    assert.equal(r.run.status, 'failed');
    assert.deepEqual([r.states[0]?.status, r.states[0]?.block, r.states[0]?.claim], ['blocked', 'no-changes', 'Done! The counter is implemented and all tests pass.']);
    assert.deepEqual(verifier.runs, [], 'nothing to verify when nothing changed');
    const [c] = concernsOf(p.ws.audit, p.chId);
    assert.equal(c?.id, 'C-1');
    assert.equal(c?.source, 'implementer');
    assert.match(c?.summary ?? '', /task-1 \(Add the counter\) claimed done without changing any file: "Done! The counter is implemented/);
    assert.ok(c?.evidence.includes(`artifacts/work/${p.chId}/run-1`));
    assert.equal(r.run.concern, `${p.chId}/C-1`);
    const block = p.audit().find((e) => e.type === 'implementer.verdict_block');
    assert.deepEqual(block?.payload, { task: 'task-1', reason: 'no-changes', files: [], verification: [], concern_id: 'C-1' });
    assert.equal(p.audit().filter((e) => e.type === 'implementer.verdict_pass').length, 0);
    assert.equal(p.read(`changes/${p.chId}/tasks.md`), TASKS_MD, 'tasks.md untouched');
    assert.ok(!p.exists(`changes/${p.chId}/CHANGE_SUMMARY.md`));
  });

  it('phantom completion: a change written and then undone is no change', async () => {
    p = await project({ files: { 'src/a.js': 'a\n' } });
    const model = new FakeModel([
      planAnswer([{ title: 'Touch a', verify: ['unit'] }]),
      call(['write_file', { path: 'src/a.js', content: 'b\n' }]),
      call(['write_file', { path: 'src/a.js', content: 'a\n' }]),
      say('Done.'),
    ]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.deepEqual([r.run.status, r.states[0]?.block], ['failed', 'no-changes']);
  });

  it('failing verification: the task is not done, a concern says which test failed, and the run goes on to the next task', async () => {
    p = await project({ tasksMd: TASKS_MD, tests: ['unit', 'lint'] });
    const model = new FakeModel([
      planAnswer([
        { id: 'T-001', title: 'Add the counter', verify: ['unit'] },
        { id: 'T-002', title: 'Document the counter', verify: ['lint'] },
      ]),
      call(['write_file', { path: 'src/counter.js', content: 'module.exports = () => 1;\n' }]),
      say('Implemented; tests should pass.'),
      call(['write_file', { path: 'src/README.md', content: '# Counter\n' }]),
      say('Documented.'),
    ]);
    const verifier = fakeVerifier(p.dir, (name) => name === 'lint');
    const r = await startRun(p.deps(model, verifier), { chId: p.chId, maxSteps: 10 });

    assert.equal(r.run.status, 'failed');
    assert.deepEqual(r.states.map((s) => [s.id, s.status, s.block]), [
      ['task-1', 'blocked', 'verification-failed'],
      ['task-2', 'done', undefined],
    ]);
    assert.equal(r.states[0]?.verification[0]?.output_tail, 'FAIL: expected 2, got 1\n');
    const [c] = concernsOf(p.ws.audit, p.chId);
    assert.match(c?.summary ?? '', /claimed done but its verification fails: unit \(exit 1\) — not marked done/);
    assert.ok(c?.evidence.includes('src/counter.js'));
    const block = p.audit().find((e) => e.type === 'implementer.verdict_block');
    assert.deepEqual(block?.payload, { task: 'task-1', reason: 'verification-failed', files: ['src/counter.js'], verification: [{ name: 'unit', exit: 1, timed_out: false, passed: false }], concern_id: 'C-1' });
    assert.equal(p.read(`changes/${p.chId}/tasks.md`), `# Tasks\n\n- [ ] T-001 Add the counter\n- [x] T-002 Document the counter (evidence: evidence.json#E-1)\n`);
    assert.equal(r.run.concern, `${p.chId}/C-1`);
    assert.ok(!p.exists(`changes/${p.chId}/CHANGE_SUMMARY.md`), 'no summary for a failed run');
  }).timeout(30_000);

  it('no declared verification: changed files are not enough', async () => {
    p = await project({ tests: [] });
    const model = new FakeModel([planAnswer([{ title: 'Add the counter' }]), call(['write_file', { path: 'src/counter.js', content: COUNTER }]), say('Done.')]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.deepEqual([r.run.status, r.states[0]?.block], ['failed', 'no-verification']);
    assert.match(concernsOf(p.ws.audit, p.chId)[0]?.summary ?? '', /config\.yaml tests\[\] is empty/);
  });

  it('budget exhaustion: stops at the budget with a concern, the task left running', async () => {
    p = await project();
    const model = new FakeModel([planAnswer([{ title: 'Add the counter', verify: ['unit'] }]), call(['list_files', {}]), call(['search', { query: 'counter' }]), call(['read_file', { path: 'nope.js' }])]);
    const r = await startRun(p.deps(model), { chId: p.chId, maxSteps: 3 });
    assert.equal(r.run.status, 'failed');
    assert.equal(r.run.steps_done, 3);
    assert.equal(model.left, 1, 'the fourth request was never made');
    assert.equal(r.states[0]?.status, 'running');
    const [c] = concernsOf(p.ws.audit, p.chId);
    assert.match(c?.summary ?? '', /the step budget of 3 is spent with task-1 not done; resume with `dynaforge implement resume CH-001 --max-steps N`/);
    assert.equal(r.run.concern, `${p.chId}/C-1`);
    assert.equal(p.audit().filter((e) => e.type === 'implementer.step_started').length, 3);
  });

  it('a malformed plan is a concern, not a crash: one second chance, then the run fails cleanly', async () => {
    p = await project();
    const model = new FakeModel([say('Sure! Here is the plan: {tasks: [oops'), say('{"spec": {"summary": "x"}, "plan": {"approach": ["y"]}, "tasks": []}')]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.equal(r.run.status, 'failed');
    assert.equal(r.run.tasks_hash, undefined);
    assert.deepEqual(r.tasks, []);
    assert.ok(!p.exists(`artifacts/work/${p.chId}/run-1/tasks.json`));
    const second = model.requests[1]?.messages ?? [];
    assert.equal(second.length, 4);
    assert.match(second[3]?.content ?? '', /That answer is not a valid plan: the answer is not a JSON object/);
    const [c] = concernsOf(p.ws.audit, p.chId);
    assert.match(c?.summary ?? '', /the model's plan is malformed \(tasks: the plan needs at least one task\); nothing was changed/);
    assert.deepEqual(
      p.audit().filter((e) => e.type === 'implementer.step_finished').map((e) => e.payload.outcome),
      ['plan-invalid', 'plan-invalid'],
    );
  });

  it('a plan that names an undeclared test is malformed; a corrected answer is taken', async () => {
    p = await project();
    const model = new FakeModel([
      planAnswer([{ title: 'Add the counter', verify: ['e2e'] }]),
      planAnswer([{ title: 'Add the counter', verify: ['unit'] }]),
      call(['write_file', { path: 'src/counter.js', content: COUNTER }]),
      say('Done.'),
    ]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.equal(r.run.status, 'succeeded');
    assert.match(model.requests[1]?.messages[3]?.content ?? '', /tasks\[0\]\.verify: "e2e" is not a declared test command \(declared: unit\)/);
  });

  it('writes outside the scope are refused, recorded and reported as a concern; protected paths are refused and recorded', async () => {
    p = await project({ scope: ['src'] });
    const model = new FakeModel([
      planAnswer([{ title: 'Add the counter', verify: ['unit'] }]),
      call(['write_file', { path: 'lib/counter.js', content: COUNTER }], ['write_file', { path: `changes/${'CH-001'}/change.yaml`, content: 'id: CH-001\n' }], ['apply_patch', { path: '../outside.js', edits: [{ search: 'a', replace: 'b' }] }]),
      call(['write_file', { path: 'lib/counter.js', content: COUNTER }], ['write_file', { path: 'src/counter.js', content: COUNTER }]),
      say('Done, in src/ as the scope asks.'),
    ]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.equal(r.run.status, 'succeeded');
    assert.ok(!p.exists('lib/counter.js'));
    assert.deepEqual(r.refused.map((x) => [x.path, x.reason, x.tool]), [
      ['lib/counter.js', 'outside-scope', 'write_file'],
      ['changes/CH-001/change.yaml', 'protected', 'write_file'],
      ['../outside.js', 'traversal', 'apply_patch'],
      ['lib/counter.js', 'outside-scope', 'write_file'],
    ]);
    const concerns = concernsOf(p.ws.audit, p.chId);
    assert.equal(concerns.length, 1, 'one concern per path and run');
    assert.match(concerns[0]?.summary ?? '', /needed to write lib\/counter\.js, outside the scope of CH-001: refused; widening the scope needs a person's approval/);
    const answers = model.requests[2]?.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content) as { ok: boolean; error?: string });
    assert.deepEqual(answers?.map((a) => a.ok), [false, false, false]);
    assert.match(answers?.[0]?.error ?? '', /outside the scope of CH-001 \(src\)/);
    assert.match(answers?.[1]?.error ?? '', /change records/);
    assert.equal(r.run.concern, undefined, 'a run that succeeded has no failure concern');
  });

  it('tools answer the model with errors it can act on: unknown tool, bad arguments, ambiguous patch, unknown test', async () => {
    p = await project({ files: { 'src/a.js': 'x = 1;\nx = 1;\n' } });
    const model = new FakeModel([
      planAnswer([{ title: 'Fix a', verify: ['unit'] }]),
      call(['delete_file', { path: 'src/a.js' }], ['read_file', {}], ['apply_patch', { path: 'src/a.js', edits: [{ search: 'x = 1;', replace: 'x = 2;' }] }], ['run_verification', { names: ['e2e'] }], ['read_file', { path: '.git/config' }], ['write_file', { path: 'src', content: 'x' }]),
      call(['apply_patch', { path: 'src/a.js', edits: [{ search: 'x = 1;\nx = 1;', replace: 'x = 2;' }] }]),
      say('Fixed.'),
    ]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    const errors = model.requests[2]?.messages.filter((m) => m.role === 'tool').map((m) => (JSON.parse(m.content) as { error: string }).error);
    assert.match(errors?.[0] ?? '', /there is no tool "delete_file"; the tools are: read_file, list_files, search, write_file, apply_patch, run_verification/);
    assert.match(errors?.[1] ?? '', /bad arguments for read_file: path/);
    assert.match(errors?.[2] ?? '', /occurs more than once in src\/a\.js; include more surrounding lines/);
    assert.match(errors?.[3] ?? '', /not declared in config\.yaml tests\[\]: e2e; the declared test commands are: unit/);
    assert.match(errors?.[4] ?? '', /git data/);
    assert.match(errors?.[5] ?? '', /src is a folder, not a file; give the path of a file inside it/);
    assert.equal(r.run.status, 'succeeded');
    assert.equal(p.read('src/a.js'), 'x = 2;\n');
  });

  it('same seed and same answers give the same task list, run folder and audit bytes', async () => {
    const script = () => [
      planAnswer([{ title: 'Add the counter', verify: ['unit'] }, { title: 'Test the counter', verify: ['unit'] }]),
      call(['write_file', { path: 'src/counter.js', content: COUNTER }]),
      say('Done.'),
      call(['write_file', { path: 'test/counter.test.js', content: COUNTER_TEST }]),
      say('Done.'),
    ];
    const outputs: Map<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      const q = await project();
      try {
        await startRun(q.deps(new FakeModel(script())), { chId: q.chId, seed: 7 });
        const files = new Map<string, string>();
        for (const rel of ['run.json', 'state.json', 'tasks.json', 'files.json', 'transcript.jsonl']) files.set(rel, q.read(`artifacts/work/${q.chId}/run-1/${rel}`));
        files.set('audit', readFileSync(join(q.dir, 'audit', 'changes', `${q.chId}.jsonl`), 'utf8'));
        files.set('summary', q.read(`changes/${q.chId}/CHANGE_SUMMARY.md`));
        outputs.push(files);
      } finally {
        q.cleanup();
      }
    }
    assert.deepEqual(outputs[0], outputs[1]);
    assert.equal(JSON.parse(outputs[0]?.get('run.json') ?? '{}').seed, 7);
  });
});
