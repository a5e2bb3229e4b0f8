import { strict as assert } from 'node:assert';
import { concernsOf } from '../../../src/core/concerns/concerns';
import { resumeRun, startRun } from '../../../src/core/implementer/implement';
import { planRetention } from '../../../src/core/retention/plan';
import { RunSchema } from '../../../src/core/schema/run';
import { call, FakeModel, planAnswer, project, say, type Project } from './fixture';

const TASKS_MD = '# Tasks\n\n- [ ] T-001 Add the counter\n';
const RUN = 'artifacts/work/CH-001/run-1';

function runJson(p: Project) {
  return RunSchema.parse(JSON.parse(p.read(`${RUN}/run.json`)));
}

describe('implementer: its runs go through retention', function () {
  this.timeout(30_000);
  let p: Project;
  afterEach(() => p?.cleanup());

  it('--retain writes the .retain marker the way `retention retain` does, with its retention.retained event', async () => {
    p = await project();
    const model = new FakeModel([planAnswer([{ title: 'Add the counter', verify: ['unit'] }]), call(['write_file', { path: 'src/counter.js', content: '1;\n' }]), say('Done.')]);
    const r = await startRun(p.deps(model), { chId: p.chId, retain: true });
    assert.equal(r.run.status, 'succeeded');
    const retained = p.audit().filter((e) => e.type === 'retention.retained');
    assert.deepEqual(
      retained.map((e) => [e.payload, e.actor.id, e.run_id]),
      [[{ run: RUN, run_id: r.run.run_id, marker: `${RUN}/.retain` }, 'dynaforge-implementer', r.run.run_id]],
    );
    assert.match(p.read(`${RUN}/.retain`), /^retained by dynaforge-implementer at 2026-11-21T09:00:00/);
    assert.deepEqual(planRetention(p.ws).items.map((i) => [i.run, i.retained, i.decision]), [['CH-001/run-1', true, 'keep']]);
  });

  it('a run that stops is referenced from a concern raised by raiseRunConcern: the run folder, then what outlives it', async () => {
    p = await project({ tasksMd: TASKS_MD });
    const model = new FakeModel([
      planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]),
      call(['write_file', { path: 'src/counter.js', content: '1;\n' }]),
      call(['list_files', {}]),
      call(['list_files', {}]),
    ]);
    const r = await startRun(p.deps(model), { chId: p.chId, maxSteps: 3 });
    assert.equal(r.run.status, 'failed');
    const [c] = concernsOf(p.ws.audit, p.chId);
    assert.deepEqual([c?.id, c?.source, c?.evidence], ['C-1', 'implementer', [RUN, 'tasks.md#T-001', 'src/counter.js']]);
    assert.equal(runJson(p).concern, 'CH-001/C-1', 'run.json on disk names it');
    assert.deepEqual(r.concerns, ['CH-001/C-1']);
    const told = p.events.map((e) => e.kind).filter((k) => k === 'concern' || k === 'run-finished');
    assert.deepEqual(told, ['concern', 'run-finished'], 'the concern is told before the run ends');

    // Resumed, it stops again: that ending has its own concern, and run.json names it.
    const again = await resumeRun(p.deps(model), { chId: p.chId, maxSteps: 4 });
    assert.equal(again.run.status, 'failed');
    assert.deepEqual(concernsOf(p.ws.audit, p.chId).map((x) => x.id), ['C-1', 'C-2']);
    assert.equal(runJson(p).concern, 'CH-001/C-2');
  });

  it("a run failed by a blocked task is referenced from that task's concern, which names the tasks.md task too", async () => {
    p = await project({ tasksMd: TASKS_MD });
    const model = new FakeModel([planAnswer([{ id: 'T-001', title: 'Add the counter', verify: ['unit'] }]), say('Done!')]);
    const r = await startRun(p.deps(model), { chId: p.chId });
    assert.equal(r.run.status, 'failed');
    const concerns = concernsOf(p.ws.audit, p.chId);
    assert.equal(concerns.length, 1, 'no second concern for the run');
    assert.deepEqual(concerns[0]?.evidence, [RUN, `${RUN}/state.json#task-1`, 'tasks.md#T-001']);
    assert.equal(runJson(p).concern, 'CH-001/C-1');
  });
});
