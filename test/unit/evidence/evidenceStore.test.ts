import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appendEvidence, readEvidence } from '../../../src/core/capture/evidenceStore';
import { layoutAt } from '../../../src/core/repo/layout';
import { watch } from '../audit/auditFixtures';
import { tempDir } from '../core/tempRepo';
import { workerEntry } from './fixtures/workerEntry';

const REPO_ROOT = resolve(__dirname, '../../..');
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
    const children = Array.from({ length: PROCS }, (_, p) => spawn(process.execPath, ['--require', 'tsx/cjs', WORKER, dir, CH, String(p), String(EACH)], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
    let ready = 0;
    let go = (): void => undefined;
    const allReady = new Promise<void>((done) => (go = done));
    const exits = children.map((c) => watch(c, (line) => (line === 'ready' && ++ready === PROCS ? go() : undefined)));
    await allReady;
    for (const c of children) c.stdin?.write('go\n');
    (await Promise.all(exits)).forEach((r, p) => assert.deepEqual([r.code, r.stderr], [0, ''], `worker ${p}`));

    // Without the lock, the read-modify-writes overlap: entries are lost and ids repeat.
    assert.deepEqual(written(dir), expected(PROCS, EACH));
    assert.equal(existsSync(join(dir, '.dynaforge/state/locks/evidence', `${CH}.lock`)), false, 'the lock was released');
  });
});
