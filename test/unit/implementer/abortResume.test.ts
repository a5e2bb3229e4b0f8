import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concernsOf } from '../../../src/core/concerns/concerns';
import { isDfError } from '../../../src/core/errors';
import { progressOf, type ImplementerEvent } from '../../../src/core/implementer/events';
import { FileTracker } from '../../../src/core/implementer/fileTracker';
import { abortRun, resumeRun, startRun } from '../../../src/core/implementer/implement';
import { RunFolder } from '../../../src/core/implementer/runFolder';
import { withRunLock } from '../../../src/core/implementer/runLock';
import { call, FakeModel, fakeVerifier, planAnswer, project, say, type Project } from './fixture';

const TASKS_MD = '- [ ] T-001 Add the counter\n';

function code(e: unknown): string {
  return isDfError(e) ? e.code : String(e);
}

describe('implementer: abort, resume, cancellation, one run at a time', function () {
  this.timeout(30_000);
  let p: Project;
  afterEach(() => p?.cleanup());

  it('abort restores pre-images, deletes created files and folders, spares a file edited after the run, and marks the run aborted', async () => {
    p = await project({ tasksMd: TASKS_MD, files: { 'src/existing.js': 'original\n', 'src/other.js': 'other before\n' } });
    const model = new FakeModel([
      planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]),
      call(
        ['write_file', { path: 'src/existing.js', content: 'changed\n' }],
        ['write_file', { path: 'src/new/deep/file.js', content: 'new\n' }],
        ['write_file', { path: 'src/other.js', content: 'other by the run\n' }],
      ),
      say('Done.'),
    ]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.equal(r.run.status, 'succeeded');
    assert.ok(p.exists(`changes/${p.chId}/CHANGE_SUMMARY.md`));
    assert.match(p.read(`changes/${p.chId}/tasks.md`), /- \[x\] T-001/);
    p.write('src/other.js', 'edited by a person\n');

    const a = await abortRun(p.ws, p.chId);
    assert.deepEqual(a.restored, ['changes/CH-001/tasks.md', 'src/existing.js']);
    assert.deepEqual(a.deleted, ['changes/CH-001/CHANGE_SUMMARY.md', 'src/new/deep/file.js']);
    assert.deepEqual(a.kept, [{ path: 'src/other.js', reason: 'changed after the run wrote it' }]);
    assert.equal(p.read('src/existing.js'), 'original\n');
    assert.equal(p.read('src/other.js'), 'edited by a person\n', "a person's edit is never overwritten");
    assert.equal(p.read(`changes/${p.chId}/tasks.md`), TASKS_MD);
    assert.ok(!p.exists('src/new'), 'the folders the run made are gone');
    assert.ok(!p.exists(`changes/${p.chId}/CHANGE_SUMMARY.md`));
    const folder = new RunFolder(p.dir, p.chId, 1);
    assert.equal(folder.readRun().status, 'aborted');
    assert.deepEqual(folder.readState().restored?.kept, a.kept);

    await assert.rejects(abortRun(p.ws, p.chId), (e: unknown) => code(e) === 'conflict' && /already aborted and restored/.test((e as Error).message));
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId }), (e: unknown) => code(e) === 'conflict' && /cannot be resumed/.test((e as Error).message));
  });

  it('abort accepts the bytes a crash may leave: what the run was about to write, or what it had written before', async () => {
    p = await project({ files: { 'src/a.js': 'v0\n' } });
    const folder = RunFolder.allocate(p.dir, p.chId);
    const t = new FileTracker(folder);
    t.write('src/a.js', Buffer.from('v1\n'), { task: 'task-1', step: 1 });
    t.write('src/a.js', Buffer.from('v2\n'), { task: 'task-1', step: 2 });
    p.write('src/a.js', 'v1\n'); // as if the process died after recording v2 but before writing it
    assert.deepEqual(new FileTracker(folder).restore(), { restored: ['src/a.js'], deleted: [], kept: [] });
    assert.equal(p.read('src/a.js'), 'v0\n');
  });

  it('abort with no run, and a run of another change, are clear errors', async () => {
    p = await project();
    await assert.rejects(abortRun(p.ws, p.chId), (e: unknown) => code(e) === 'not-found' && /has no implementer run/.test((e as Error).message));
    await assert.rejects(abortRun(p.ws, 'CH-999'), (e: unknown) => code(e) === 'unknown-change');
  });

  it('cancellation mid-step: the run is marked aborted without restoring; resume repeats the cancelled step and finishes', async () => {
    p = await project();
    const controller = new AbortController();
    const first = new FakeModel([
      planAnswer([{ title: 'Add the counter', verify: ['unit'] }]),
      call(['write_file', { path: 'src/counter.js', content: 'c\n' }]),
      () => {
        controller.abort(); // Ctrl-C while the model answers step 3
        return call(['run_verification', {}]);
      },
    ]);
    const r = await startRun(p.deps(first, undefined, controller.signal), { chId: p.chId });
    assert.equal(r.run.status, 'aborted');
    assert.equal(r.run.steps_done, 2);
    assert.equal(p.read('src/counter.js'), 'c\n', 'nothing restored on cancel');
    assert.deepEqual(concernsOf(p.ws.audit, p.chId), [], 'a cancel is no concern');
    const finished = p.audit().filter((e) => e.type === 'implementer.step_finished').map((e) => e.payload.outcome);
    assert.deepEqual(finished, ['planned', 'tool-calls', 'cancelled']);
    const cancelled = first.requests[2];

    const second = new FakeModel([call(['run_verification', {}]), say('Done.')]);
    const verifier = fakeVerifier(p.dir);
    const resumed = await resumeRun(p.deps(second, verifier), { chId: p.chId });
    assert.equal(resumed.run.status, 'succeeded');
    assert.equal(resumed.run.steps_done, 4);
    assert.deepEqual(second.requests[0]?.messages, cancelled?.messages, 'resume asks exactly what the cancelled step asked');
    assert.deepEqual(verifier.runs, ['unit'], "the model's run after the last write is the evidence");
    const started = p.audit().filter((e) => e.type === 'implementer.step_started').map((e) => e.payload.step);
    assert.deepEqual(started, [1, 2, 3, 3, 4]);
    assert.ok(p.exists(`changes/${p.chId}/CHANGE_SUMMARY.md`));
  });

  it('cancellation while a test runs: aborted, resumable', async () => {
    p = await project();
    const controller = new AbortController();
    const model = new FakeModel([planAnswer([{ title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: 'c\n' }]), say('Done.')]);
    const verifier = fakeVerifier(p.dir, () => {
      controller.abort();
      return true;
    });
    const r = await startRun(p.deps(model, verifier, controller.signal), { chId: p.chId });
    assert.equal(r.run.status, 'aborted');
    assert.equal(r.states[0]?.status, 'running', 'not done: the step that judged it was cancelled');
    const resumed = await resumeRun(p.deps(new FakeModel([say('Done.')])), { chId: p.chId });
    assert.equal(resumed.run.status, 'succeeded');
  });

  it('resume after budget exhaustion needs a larger budget, then continues the same conversation', async () => {
    p = await project();
    const model = new FakeModel([planAnswer([{ title: 'Add the counter', verify: ['unit'] }]), call(['list_files', {}])]);
    const r = await startRun(p.deps(model), { chId: p.chId, maxSteps: 2 });
    assert.equal(r.run.status, 'failed');
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId }), (e: unknown) => code(e) === 'usage' && /step budget .* \(2\) is spent/.test((e as Error).message));
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId, maxSteps: 2 }), (e: unknown) => code(e) === 'usage');

    const more = new FakeModel([call(['write_file', { path: 'src/counter.js', content: 'c\n' }]), say('Done.')]);
    const resumed = await resumeRun(p.deps(more), { chId: p.chId, maxSteps: 10 });
    assert.equal(resumed.run.status, 'succeeded');
    assert.equal(resumed.run.max_steps, 10);
    assert.equal(resumed.run.concern, undefined, 'it succeeded in the end');
    assert.equal(more.requests[0]?.messages.filter((m) => m.role === 'tool').length, 1, 'the list_files answer of the first invocation is still in the conversation');
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId }), (e: unknown) => code(e) === 'conflict' && /already succeeded/.test((e as Error).message));
  });

  it('resume of a run with nothing left to do says so', async () => {
    p = await project();
    await startRun(p.deps(new FakeModel([planAnswer([{ title: 'Add the counter' }]), say('Done.')])), { chId: p.chId });
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId }), (e: unknown) => code(e) === 'conflict' && /no task left to do \(task-1 blocked/.test((e as Error).message));
  });

  it('one run per change at a time: a second one is refused while the first holds the lock', async () => {
    p = await project();
    await withRunLock(p.ws.layout, p.chId, async () => {
      await assert.rejects(startRun(p.deps(new FakeModel([])), { chId: p.chId }), (e: unknown) => code(e) === 'conflict' && /another `dynaforge implement` of CH-001 is running/.test((e as Error).message));
      await assert.rejects(abortRun(p.ws, p.chId), (e: unknown) => code(e) === 'conflict');
    });
    assert.ok(!p.exists(`artifacts/work/${p.chId}`), 'the refused run created nothing');
  });

  it('--retain writes the .retain marker; run numbers count up', async () => {
    p = await project();
    await startRun(p.deps(new FakeModel([planAnswer([{ title: 'A' }]), say('Done.')])), { chId: p.chId, retain: true });
    await startRun(p.deps(new FakeModel([planAnswer([{ title: 'A' }]), say('Done.')])), { chId: p.chId });
    assert.ok(p.exists(`artifacts/work/${p.chId}/run-1/.retain`));
    assert.ok(!p.exists(`artifacts/work/${p.chId}/run-2/.retain`));
    assert.equal(new RunFolder(p.dir, p.chId, 2).readRun().n, 2);
  });

  it('a damaged run folder is an error naming the file, not a crash', async () => {
    p = await project();
    await startRun(p.deps(new FakeModel([planAnswer([{ title: 'A', verify: ['unit'] }]), call(['list_files', {}])])), { chId: p.chId, maxSteps: 2 });
    writeFileSync(join(p.dir, 'artifacts/work/CH-001/run-1/state.json'), '{"version": 2}');
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId, maxSteps: 5 }), (e: unknown) => code(e) === 'invalid-schema' && /artifacts\/work\/CH-001\/run-1\/state\.json/.test((e as Error).message));
  });

  it('progress is also an async iterable of typed events', async () => {
    p = await project();
    const model = new FakeModel([planAnswer([{ title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: 'c\n' }]), say('Done.')]);
    const { events, result } = progressOf((onEvent) => startRun({ ...p.deps(model), onEvent }, { chId: p.chId }));
    const seen: ImplementerEvent['kind'][] = [];
    for await (const e of events) if (!seen.includes(e.kind)) seen.push(e.kind);
    assert.equal((await result).run.status, 'succeeded');
    assert.deepEqual(seen, ['run-started', 'step-started', 'model-text', 'plan-ready', 'step-finished', 'task', 'file-changed', 'tool', 'verification', 'run-finished']);
  });
});
