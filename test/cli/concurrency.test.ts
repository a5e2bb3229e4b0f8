import { strict as assert } from 'node:assert';
import { cliSuite, type CliResult, TempRepo } from './cliHarness';

const WORKERS = 8;
const PER_WORKER = 50;
const RAISERS = 2;
const PER_RAISER = 20;

interface ListJson {
  changes: { id: string; title: string }[];
  problems: unknown[];
}

/** Runs `count` CLI commands one after another, as one process loop of a busy user would. */
async function loop(repo: TempRepo, count: number, args: (i: number) => string[]): Promise<CliResult[]> {
  const out: CliResult[] = [];
  for (let i = 0; i < count; i++) out.push(await repo.run(args(i)));
  return out;
}

describe('cli: concurrency', () => {
  cliSuite();

  it(`${WORKERS} processes × ${PER_WORKER} \`new\` plus ${RAISERS} × ${PER_RAISER} \`concern raise\` at once: unique ids, no gaps, a verifying log, no lost event`, async function () {
    this.timeout(600_000);
    // The real clock and random ids, as concurrent users would have.
    const repo = await TempRepo.create({ env: { DYNAFORGE_NOW: undefined } });
    await repo.ok('new', 'Shared change');

    const started = Date.now();
    const [news, raises] = await Promise.all([
      Promise.all(Array.from({ length: WORKERS }, (_, w) => loop(repo, PER_WORKER, (i) => ['new', `worker ${w} change ${i}`]))),
      Promise.all(Array.from({ length: RAISERS }, (_, r) => loop(repo, PER_RAISER, (i) => ['concern', 'raise', `raiser ${r} concern ${i}`, '-c', 'CH-001']))),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const total = WORKERS * PER_WORKER + RAISERS * PER_RAISER;
    console.log(`      ${total} concurrent CLI runs took ${seconds.toFixed(1)} s (${((seconds * 1000) / total).toFixed(0)} ms per run of wall time)`);

    for (const r of [...news.flat(), ...raises.flat()]) assert.equal(r.code, 0, `a run failed:\n${r.stdout}\n${r.stderr}`);

    // Unique ids, one per `new`, and no gaps in the folders created.
    const minted = news.flat().map((r) => /^Created (CH-\d+):/.exec(r.stdout)?.[1]);
    assert.equal(new Set(minted).size, WORKERS * PER_WORKER, 'every `new` got its own id');
    const expected = Array.from({ length: WORKERS * PER_WORKER + 1 }, (_, i) => `CH-${String(i + 1).padStart(3, '0')}`);
    assert.deepEqual(repo.changeIds(), expected, 'CH-001 … CH-401, no gaps');
    assert.deepEqual([...minted].sort(), expected.slice(1).sort());

    // Every change loads and carries its own title; each worker's changes came in its order.
    const list = await repo.json<ListJson>('list');
    assert.deepEqual(list.problems, []);
    assert.equal(list.changes.length, expected.length);
    const titleOf = new Map(list.changes.map((c) => [c.id, c.title]));
    news.forEach((results, w) => {
      const ids = results.map((r) => /^Created (CH-\d+): (.*)$/m.exec(r.stdout));
      ids.forEach((m, i) => assert.equal(titleOf.get(m?.[1] as string), `worker ${w} change ${i}`));
      const nums = ids.map((m) => Number(m?.[1]?.slice(3)));
      assert.deepEqual(nums, [...nums].sort((x, y) => x - y), `worker ${w} got increasing ids`);
    });

    // Concern ids C-1 … C-40 on the shared change, none lost or doubled.
    const concerns = (await repo.json<{ concerns: { id: string; summary: string }[] }>('concern', 'list', 'CH-001')).concerns;
    assert.deepEqual(concerns.map((c) => c.id).sort(), Array.from({ length: RAISERS * PER_RAISER }, (_, i) => `C-${i + 1}`).sort());
    assert.equal(new Set(concerns.map((c) => c.summary)).size, RAISERS * PER_RAISER);

    const v = await repo.run(['audit', 'verify']);
    assert.equal(v.code, 0, v.stdout);

    const events = repo.auditEvents();
    const createdFor = events.filter((e) => e.type === 'change.created').map((e) => e.ch_id);
    assert.equal(createdFor.length, expected.length, 'one change.created per change');
    assert.deepEqual([...new Set(createdFor)].sort(), [...expected].sort());
    for (const e of events.filter((x) => x.type === 'change.created')) assert.equal(e.file, `audit/changes/${e.ch_id}.jsonl`);
    const commands = events.filter((e) => e.type === 'command');
    assert.equal(commands.length, repo.history.length, 'one command event per CLI run');
    assert.equal(new Set(commands.map((e) => e.correlation_id)).size, commands.length, 'each run its own correlation id');
    assert.equal(events.filter((e) => e.type === 'concern.raised').length, RAISERS * PER_RAISER);
    const shared = events.filter((e) => e.file === 'audit/changes/CH-001.jsonl').map((e) => e.seq);
    assert.deepEqual(shared, Array.from({ length: shared.length }, (_, i) => i + 1), 'the shared stream has no gap or repeat in seq');
  });
});
