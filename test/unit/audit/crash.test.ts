import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ACTOR, SHARED_STREAM, command, nextLine, openLog, seededRandom, startWorker, tempDirs, watch, type TestLog } from './auditFixtures';

const ROUNDS = 14;
/** The kill lands 0..MAX_DELAY_MS after the writer is ready; it appends an event every few ms. */
const MAX_DELAY_MS = 120;
const CRASH_KINDS = ['torn-tail', 'head-lags'];

/** Hashes of the complete lines of the stream (a torn tail, having no newline, is not one). */
function committedHashes(t: TestLog): string[] {
  if (!existsSync(t.file())) return [];
  const bytes = readFileSync(t.file());
  const lines = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1).toString('utf8').split('\n').slice(0, -1);
  return lines.map((l, i) => {
    try {
      return (JSON.parse(l) as { hash: string }).hash;
    } catch {
      return assert.fail(`complete line ${i + 1} is not an event: a crash may only tear the last line`);
    }
  });
}

function lockOf(t: TestLog): string {
  return join(t.lockDir, 'audit', `${SHARED_STREAM}.lock`);
}

/** Starts a writer, SIGKILLs it `delayMs` after it is ready; returns the hashes it reported as appended. */
async function killedWriter(root: string, delayMs: number): Promise<string[]> {
  const reported: string[] = [];
  const child = startWorker(['crash', root]);
  const exit = await watch(child, (line) => {
    if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
    else reported.push(line);
  });
  assert.equal(exit.signal, 'SIGKILL', `the writer stopped on its own: ${exit.stderr}`);
  return reported;
}

/**
 * After a crash: every reported event is in the file, in order, after the events that were
 * there before; at most one more (appended, not yet reported); any damage is crash damage at
 * the last line, and repair fixes it keeping every event.
 */
async function checkAfterCrash(t: TestLog, before: readonly string[], reported: readonly string[]): Promise<{ kind?: string }> {
  const committed = committedHashes(t);
  assert.deepEqual(committed.slice(0, before.length), before, 'events from earlier rounds are intact');
  const added = committed.slice(before.length);
  assert.deepEqual(added.slice(0, reported.length), reported, 'every event the writer reported is in the file, in order');
  assert.ok(added.length - reported.length <= 1, `${added.length - reported.length} events appended but never reported`);

  const report = t.log.verifyStream(SHARED_STREAM);
  if (!report.problem) return {};
  const { kind, line, message } = report.problem;
  assert.ok(CRASH_KINDS.includes(kind), `a crash left ${kind} at line ${line}: ${message}`);
  assert.equal(line, kind === 'torn-tail' ? committed.length + 1 : committed.length, `${kind} must be at the last line`);
  const actions = await t.log.repair(ACTOR, 'corr-repair');
  assert.equal(actions.length, 1);
  const after = await t.log.verify();
  assert.equal(after.ok, true, JSON.stringify(after.streams));
  const events = t.events();
  assert.deepEqual(events.slice(0, -1).map((e) => e.hash), committed, 'repair keeps every committed event');
  assert.equal(events.at(-1)?.type, 'audit.repaired');
  return { kind };
}

describe('audit log: crash safety (SIGKILL at random moments)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();

  it(`${ROUNDS} killed writers lose no committed event, and leave at most repairable damage`, async () => {
    const t = openLog(tmp.make(), SHARED_STREAM);
    const rand = seededRandom(0x5eed);
    let total = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const before = committedHashes(t);
      const reported = await killedWriter(t.root, Math.floor(rand() * MAX_DELAY_MS));
      total += reported.length;
      // The writer most likely died holding the lock. Nothing else runs, so remove it as the
      // lock-timeout error advises, except in the last round: there it must go stale by itself.
      if (round < ROUNDS - 1) rmSync(lockOf(t), { recursive: true, force: true });
      await checkAfterCrash(t, before, reported);
    }
    assert.ok(total > ROUNDS, `the writers appended only ${total} events: the kills came too early to test anything`);
    const last = await t.log.append(command(1));
    assert.equal(last.seq, committedHashes(t).length);
    assert.equal((await t.log.verify()).ok, true);
  });

  it('a torn write (half a line on disk) blocks writers until repaired, and repair keeps every event', async () => {
    const t = openLog(tmp.make(), SHARED_STREAM);
    const first = await killedWriter(t.root, 60);
    rmSync(lockOf(t), { recursive: true, force: true });
    await checkAfterCrash(t, [], first);
    const before = committedHashes(t);
    const line = await nextLine(t, command(2));
    const half = line.subarray(0, Math.floor(line.length / 2));
    appendFileSync(t.file(), half);

    const blocked = startWorker(['crash', t.root]);
    const exit = await watch(blocked, () => undefined);
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /DfError: audit\/project\/main\.shared\.jsonl ends in a torn line/);
    assert.deepEqual(readFileSync(t.file()).subarray(-half.length), half, 'the refused writer wrote nothing');

    assert.deepEqual(await checkAfterCrash(t, before, []), { kind: 'torn-tail' });
    const moved = t.events().at(-1)?.payload.moved_to as string;
    assert.deepEqual(readFileSync(join(t.root, moved)), half, 'the torn half line is kept in quarantine');
    assert.equal(t.events().length, before.length + 1);

    const repaired = committedHashes(t);
    const more = await killedWriter(t.root, 40);
    assert.ok(more.length > 0, 'writers append again after the repair');
    rmSync(lockOf(t), { recursive: true, force: true });
    await checkAfterCrash(t, repaired, more);
  });
});
