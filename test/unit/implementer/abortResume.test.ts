import { strict as assert } from 'node:assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeEntries, readEvidence } from '../../../src/core/capture/evidenceStore';
import { concernsOf } from '../../../src/core/concerns/concerns';
import { computeFindings } from '../../../src/core/drift/compute';
import { isDfError } from '../../../src/core/errors';
import { progressOf, type ImplementerEvent } from '../../../src/core/implementer/events';
import { FileTracker } from '../../../src/core/implementer/fileTracker';
import { abortRun } from '../../../src/core/implementer/abort';
import { resumeRun, startRun } from '../../../src/core/implementer/implement';
import { RunFolder } from '../../../src/core/implementer/runFolder';
import { withRunLock } from '../../../src/core/implementer/runLock';
import { withTaskLock } from '../../../src/core/tasks/taskWork';
import { abortBy, call, FakeModel, fakeVerifier, planAnswer, project, say, type Project } from './fixture';

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

    const a = await abortRun(p.ws, p.chId, abortBy(p.ws));
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

    await assert.rejects(abortRun(p.ws, p.chId, abortBy(p.ws)), (e: unknown) => code(e) === 'conflict' && /already aborted and restored/.test((e as Error).message));
    await assert.rejects(resumeRun(p.deps(new FakeModel([])), { chId: p.chId }), (e: unknown) => code(e) === 'conflict' && /cannot be resumed/.test((e as Error).message));
  });

  it("abort withdraws the run's evidence: the entries stay with a withdrawal, change.yaml drops them, an event says so, and drift finds nothing for the reverted files", async () => {
    p = await project({ tasksMd: '# Tasks\n\n- [ ] T-001 Add the counter\n- [ ] T-002 Handle nothing\n', files: { 'src/existing.js': 'original\n' }, git: true });
    const first = new FakeModel([planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: 'v1\n' }]), say('Done.')]);
    assert.equal((await startRun(p.deps(first), { chId: p.chId })).run.status, 'succeeded');
    // run-2 rewrites the counter, edits a committed file and creates another: all undone by its abort.
    const second = new FakeModel([
      planAnswer([{ id: 'T-002', title: 'Handle nothing', verify: ['unit'] }]),
      call(['write_file', { path: 'src/counter.js', content: 'v2\n' }], ['write_file', { path: 'src/existing.js', content: 'changed\n' }], ['write_file', { path: 'src/extra.js', content: 'extra\n' }]),
      say('Done.'),
    ]);
    const run2 = await startRun(p.deps(second), { chId: p.chId });
    assert.equal(run2.run.status, 'succeeded');
    assert.deepEqual(p.ws.store.read(p.chId).evidence, ['evidence.json#E-1', 'evidence.json#E-2']);
    const drift = async () => (await computeFindings(p.ws)).items.filter((f) => f.key === `scope-drift:${p.chId}:evidence`);

    const a = await abortRun(p.ws, p.chId, abortBy(p.ws));
    assert.deepEqual(a.withdrawn, ['evidence.json#E-2'], "only run-2's evidence: run-1's still stands");
    assert.deepEqual([p.read('src/counter.js'), p.read('src/existing.js'), p.exists('src/extra.js')], ['v1\n', 'original\n', false]);
    assert.equal(p.read(`changes/${p.chId}/tasks.md`), '# Tasks\n\n- [x] T-001 Add the counter (evidence: evidence.json#E-1)\n- [ ] T-002 Handle nothing\n');

    const evidence = readEvidence(p.ws.layout, p.chId);
    assert.deepEqual(evidence.entries.map((e) => e.id), ['E-1', 'E-2'], 'evidence is only appended to: the entry stays');
    assert.deepEqual(evidence.withdrawals, [{ entries: ['E-2'], at: '2026-11-21T09:00:00.000Z', by: p.ws.actor('user').id, reason: `implement abort: the files of artifacts/work/${p.chId}/run-2 were restored`, run_id: run2.run.run_id }]);
    assert.deepEqual(activeEntries(evidence).map((e) => e.id), ['E-1']);
    assert.deepEqual(p.ws.store.read(p.chId).evidence, ['evidence.json#E-1']);

    const events = p.audit().filter((e) => e.correlation_id === 'cor-abort');
    assert.deepEqual(events.map((e) => [e.type, e.actor.id, e.run_id]), [['change.updated', p.ws.actor('user').id, run2.run.run_id], ['implementer.aborted', p.ws.actor('user').id, run2.run.run_id]]);
    assert.deepEqual(events[1]?.payload, { run: `artifacts/work/${p.chId}/run-2`, restored: [`changes/${p.chId}/CHANGE_SUMMARY.md`, `changes/${p.chId}/tasks.md`, 'src/counter.js', 'src/existing.js'], deleted: ['src/extra.js'], kept: [], withdrawn: ['evidence.json#E-2'], unmarked: [] });
    assert.deepEqual(await drift(), [], 'the reverted files are no drift: their evidence is withdrawn, and run-1 recorded what the tree holds');

    // A new entry takes the next id: a withdrawn one is never reused.
    const third = new FakeModel([planAnswer([{ id: 'T-002', title: 'Handle nothing', verify: ['unit'] }]), call(['write_file', { path: 'src/extra.js', content: 'again\n' }]), say('Done.')]);
    assert.equal((await startRun(p.deps(third), { chId: p.chId })).states[0]?.evidence, 'evidence.json#E-3');
    assert.deepEqual(readEvidence(p.ws.layout, p.chId).withdrawals?.map((w) => w.entries), [['E-2']], 'the withdrawal is kept as it was');
  });

  it('abort keeps a tasks.md edited since the run, but no task in it still claims the withdrawn evidence', async () => {
    p = await project({ tasksMd: '# Tasks\n\n- [~] T-001 Add the counter\n', git: true });
    const model = new FakeModel([planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: 'c\n' }]), say('Done.')]);
    await startRun(p.deps(model), { chId: p.chId });
    const tasksMd = `changes/${p.chId}/tasks.md`;
    p.write(tasksMd, `${p.read(tasksMd)}- [ ] T-002 Added by a person\n`);

    const a = await abortRun(p.ws, p.chId, abortBy(p.ws));
    assert.deepEqual(a.kept, [{ path: tasksMd, reason: 'changed after the run wrote it' }]);
    assert.deepEqual(a.unmarked, ['T-001']);
    assert.equal(p.read(tasksMd), '# Tasks\n\n- [~] T-001 Add the counter\n- [ ] T-002 Added by a person\n', 'back to doing, as before the run; the person\'s line kept');
    assert.deepEqual(a.withdrawn, ['evidence.json#E-1']);
    assert.deepEqual(p.ws.store.read(p.chId).evidence, []);
  });

  it("marking tasks.md done and abort's restore wait for the tasks lock that `task start` / `task done` hold", async () => {
    p = await project({ tasksMd: TASKS_MD });
    const tasksMd = `changes/${p.chId}/tasks.md`;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Holds the tasks lock while `during` runs, and checks that tasks.md did not change meanwhile. */
    const whileLocked = async (during: () => Promise<void>) => {
      let release = () => {};
      const held = withTaskLock(p.ws.layout, p.chId, () => new Promise<void>((r) => (release = r)));
      await sleep(50);
      const before = p.read(tasksMd);
      await during();
      assert.equal(p.read(tasksMd), before, 'tasks.md is not written while another command holds its lock');
      release();
      await held;
    };
    const model = new FakeModel([planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: 'c\n' }]), say('Done.')]);
    let run: Promise<unknown> = Promise.resolve();
    await whileLocked(async () => {
      run = startRun(p.deps(model), { chId: p.chId });
      for (let i = 0; i < 200 && !p.exists(`changes/${p.chId}/evidence.json`); i++) await sleep(10);
      await sleep(300);
    });
    await run;
    assert.match(p.read(tasksMd), /- \[x\] T-001/);

    let abort: Promise<unknown> = Promise.resolve();
    await whileLocked(async () => {
      abort = abortRun(p.ws, p.chId, abortBy(p.ws));
      await sleep(300);
    });
    await abort;
    assert.equal(p.read(tasksMd), TASKS_MD);
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
    await assert.rejects(abortRun(p.ws, p.chId, abortBy(p.ws)), (e: unknown) => code(e) === 'not-found' && /has no implementer run/.test((e as Error).message));
    await assert.rejects(abortRun(p.ws, 'CH-999', abortBy(p.ws)), (e: unknown) => code(e) === 'unknown-change');
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

  it('a concern that said a tasks.md task was not done is resolved when a resumed run, or a new one, does it with evidence', async () => {
    p = await project({ tasksMd: '# Tasks\n\n- [ ] T-001 Add the counter\n- [ ] T-002 Export it\n' });
    // The budget runs out inside T-001: the run's concern names it.
    const model = new FakeModel([planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: 'c\n' }])]);
    assert.equal((await startRun(p.deps(model), { chId: p.chId, maxSteps: 2 })).run.status, 'failed');
    const [stopped] = concernsOf(p.ws.audit, p.chId);
    assert.ok(stopped?.evidence.includes('tasks.md#T-001'), stopped?.evidence.join(', '));

    const resumed = await resumeRun(p.deps(new FakeModel([say('Done.')])), { chId: p.chId, maxSteps: 5 });
    assert.equal(resumed.run.status, 'succeeded');
    assert.deepEqual(concernsOf(p.ws.audit, p.chId).map((c) => [c.id, c.status]), [['C-1', 'resolved']]);
    const resolved = p.audit().filter((e) => e.type === 'concern.resolved');
    assert.deepEqual(resolved.map((e) => [e.payload.concern_id, e.actor.id, e.payload.note]), [['C-1', 'dynaforge-implementer', `T-001 done by implementer run-1 of ${p.chId} (task-1) with evidence.json#E-1`]]);
    assert.ok(p.events.some((e) => e.kind === 'task' && e.state === 'done' && e.resolved?.join() === `${p.chId}/C-1`), 'the narrative says so');

    // T-002 blocked in run-2 (C-2), done in run-3: C-2 is resolved; a refused write (C-3) names no task and stays.
    const failing = fakeVerifier(p.dir, (_name, root) => existsSync(join(root, 'src/index.js')));
    const run2 = new FakeModel([planAnswer([{ id: 'T-002', title: 'Export it', verify: ['unit'] }]), call(['write_file', { path: 'src/other.js', content: 'x\n' }]), say('Done.')]);
    assert.equal((await startRun(p.deps(run2, failing), { chId: p.chId })).run.status, 'failed');
    const run3 = new FakeModel([
      planAnswer([{ id: 'T-002', title: 'Export it', verify: ['unit'] }]),
      call(['write_file', { path: 'docs/x.md', content: 'x\n' }], ['write_file', { path: 'src/index.js', content: 'i\n' }]),
      say('Done.'),
    ]);
    assert.equal((await startRun(p.deps(run3, failing), { chId: p.chId })).run.status, 'succeeded');
    assert.deepEqual(concernsOf(p.ws.audit, p.chId).map((c) => [c.id, c.status]), [['C-1', 'resolved'], ['C-2', 'resolved'], ['C-3', 'open']]);
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
      await assert.rejects(abortRun(p.ws, p.chId, abortBy(p.ws)), (e: unknown) => code(e) === 'conflict');
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
