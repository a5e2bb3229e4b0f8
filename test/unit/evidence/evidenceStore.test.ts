import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeEntries, appendEvidence, readEvidence, withdrawEvidence } from '../../../src/core/capture/evidenceStore';
import { isDfError } from '../../../src/core/errors';
import { layoutAt } from '../../../src/core/repo/layout';
import { startScript, startTogether } from '../audit/auditFixtures';
import { tempDir } from '../core/tempRepo';
import { workerEntry } from './fixtures/workerEntry';

const WORKER = join(__dirname, 'fixtures', 'appendWorker.ts');
const CH = 'CH-001';

/** Whose entries evidence.json holds (`proc × 1000 + i`, sorted) and its ids, in file order. */
function written(root: string): { owners: number[]; ids: string[] } {
  const entries = readEvidence(layoutAt(root), CH).entries;
  return { owners: entries.map((e) => ('diff_bytes' in e ? e.diff_bytes : -1)).sort((a, b) => a - b), ids: entries.map((e) => e.id) };
}

function expected(procs: number, each: number): { owners: number[]; ids: string[] } {
  const owners = Array.from({ length: procs }, (_, p) => Array.from({ length: each }, (__, i) => p * 1000 + i)).flat();
  return { owners, ids: owners.map((_, n) => `E-${n + 1}`) };
}

describe('evidence store: appends from concurrent writers', function () {
  this.timeout(60_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('df-evidence-'));
    mkdirSync(join(dir, 'changes', CH), { recursive: true });
  });
  afterEach(() => cleanup());

  it('interleaved appends in one process: every entry kept, ids E-1 … E-n in order', async () => {
    const r = await Promise.all(Array.from({ length: 12 }, (_, i) => appendEvidence(layoutAt(dir), CH, workerEntry(0, i))));
    assert.equal(new Set(r.map((x) => x.ref)).size, 12, 'each append got its own id');
    assert.deepEqual(written(dir), expected(1, 12));
  });

  it('4 processes appending 15 entries each at once (capture --into, task done, the Implementer) lose nothing and never share an id', async () => {
    const PROCS = 4;
    const EACH = 15;
    const children = Array.from({ length: PROCS }, (_, p) => startScript(WORKER, [dir, CH, String(p), String(EACH)]));
    (await startTogether(children)).forEach((r, p) => assert.deepEqual([r.code, r.stderr], [0, ''], `worker ${p}`));

    // Without the lock, the read-modify-writes overlap: entries are lost and ids repeat.
    assert.deepEqual(written(dir), expected(PROCS, EACH));
    assert.equal(existsSync(join(dir, '.dynaforge/state/locks/evidence', `${CH}.lock`)), false, 'the lock was released');
  });

  it('a withdrawal is appended beside the entries, interleaved with appends, and never withdraws an entry twice', async () => {
    const layout = layoutAt(dir);
    await appendEvidence(layout, CH, workerEntry(0, 0));
    await appendEvidence(layout, CH, workerEntry(0, 1));
    const before = readFileSync(join(dir, 'changes', CH, 'evidence.json'), 'utf8');
    const odd = (e: { id: string }) => e.id === 'E-1';
    const by = { at: '2026-11-21T09:00:00.000Z', by: 'Ann <ann@example.com>', reason: 'implement abort' };
    const [w] = await Promise.all([withdrawEvidence(layout, CH, odd, by), appendEvidence(layout, CH, workerEntry(0, 2))]);
    assert.deepEqual(w?.ids, ['E-1']);
    const evidence = readEvidence(layout, CH);
    assert.deepEqual(evidence.entries.map((e) => e.id), ['E-1', 'E-2', 'E-3'], 'entries stay; the next id counts the withdrawn one');
    assert.deepEqual(evidence.withdrawals, [{ entries: ['E-1'], ...by }]);
    assert.deepEqual(activeEntries(evidence).map((e) => e.id), ['E-2', 'E-3']);
    assert.ok(readFileSync(join(dir, 'changes', CH, 'evidence.json'), 'utf8').startsWith(before.slice(0, before.indexOf('"id": "E-2"'))), 'E-1 is byte for byte as it was');
    assert.deepEqual(await withdrawEvidence(layout, CH, odd, by), { ids: [] }, 'already withdrawn: nothing is written');
    assert.equal(readEvidence(layout, CH).withdrawals?.length, 1);

    // A withdrawal naming an entry the file does not have is damage, reported with its place.
    const file = join(dir, 'changes', CH, 'evidence.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"E-1"\n', '"E-9"\n'));
    assert.throws(() => readEvidence(layout, CH), (e: unknown) => isDfError(e) && e.code === 'invalid-schema' && /withdraws E-9, which is not an entry of this file/.test(e.message) && e.where.field === 'withdrawals[0].entries[0]');
  });
});
