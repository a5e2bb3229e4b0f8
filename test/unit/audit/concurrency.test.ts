import { strict as assert } from 'node:assert';
import { SHARED_STREAM, openLog, startTogether, startWorker, tempDirs } from './auditFixtures';

const PROCS = 8;
const EACH = 50;

describe('audit log: concurrent appends from several processes', function () {
  this.timeout(90_000);
  const tmp = tempDirs();

  it(`${PROCS} processes appending ${EACH} events each to one stream and ${EACH} to their own change stream lose nothing and never interleave`, async () => {
    const root = tmp.make();
    const children = Array.from({ length: PROCS }, (_, p) => startWorker(['concurrent', root, String(p), String(EACH)]));
    // Everything loaded first, then all started at once, so that they really contend for the lock.
    const results = await startTogether(children);
    results.forEach((r, p) => assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 0, stderr: '' }, `worker ${p}`));

    const t = openLog(root, SHARED_STREAM);
    const report = await t.log.verify();
    assert.deepEqual(report.streams.filter((s) => s.problem), []);
    assert.deepEqual({ ok: report.ok, events: report.events }, { ok: true, events: 2 * PROCS * EACH });

    // Every line is one whole event (verify parsed each), 400 of them, numbered 1..400.
    const shared = t.events();
    assert.equal(t.lines().length, PROCS * EACH);
    assert.deepEqual(shared.map((e) => e.seq), Array.from({ length: PROCS * EACH }, (_, i) => i + 1));
    // Each (process, i) exactly once, and each process's own events in the order it appended them.
    const seen = shared.map((e) => e.payload.args as string[]).map(([p, i]) => `${p}/${i}`);
    assert.equal(new Set(seen).size, PROCS * EACH);
    for (let p = 0; p < PROCS; p++) {
      const mine = shared.filter((e) => e.actor.id === `worker-${p}`).map((e) => Number((e.payload.args as string[])[1]));
      assert.deepEqual(mine, Array.from({ length: EACH }, (_, i) => i), `worker ${p} in the shared stream`);
      const own = t.events(`changes/CH-10${p}`);
      assert.deepEqual(own.map((e) => [e.seq, e.actor.id, (e.payload.args as string[])[1]]), Array.from({ length: EACH }, (_, i) => [i + 1, `worker-${p}`, String(i)]), `CH-10${p}`);
    }
    // The processes really ran at the same time: the shared stream alternates between writers.
    const switches = shared.filter((e, i) => i > 0 && e.actor.id !== shared[i - 1]?.actor.id).length;
    assert.ok(switches > PROCS * 2, `only ${switches} changes of writer: the appends did not overlap`);
  });
});
