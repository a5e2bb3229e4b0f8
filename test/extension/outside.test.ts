import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, changeRow, cli, git, root, settle, sleep, waitFor } from './helpers';

/** The bar: the views follow changes made outside the editor within a second. */
const WITHIN_MS = 1_000;

describe('changes made outside the editor', () => {
  it(`a change created by the CLI in a terminal shows in the tree within ${WITHIN_MS} ms`, async () => {
    const a = await api();
    await cli(['new', 'Made in a terminal']);
    const t0 = Date.now();
    const row = await waitFor('CH-004 in the tree', () => changeRow(a, 'CH-004'), WITHIN_MS);
    assert.match(row.label, /CH-004 Made in a terminal/);
    console.log(`      (tree updated ${Date.now() - t0} ms after the CLI exited)`);
  });

  it('a burst of writes gives one or two refreshes, not one per file', async () => {
    const a = await api();
    await settle(a);
    const before = a.refreshCount();
    const dir = join(root(), 'changes', 'CH-004', 'notes');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `note-${i}.md`), `note ${i}\n`);
    await sleep(1_200);
    await a.whenIdle();
    const runs = a.refreshCount() - before;
    assert.ok(runs >= 1 && runs <= 3, `expected 1–3 refreshes for 40 writes, got ${runs}`);
  });

  it(`git checkout of a branch without a change removes it from the tree within ${WITHIN_MS} ms, and back`, async () => {
    const a = await api();
    await git(['add', '-A']);
    await git(['commit', '-qm', 'work so far']);
    await git(['checkout', '-qb', 'experiment']);
    await cli(['new', 'Only on the experiment branch']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'experiment']);
    await waitFor('CH-005 in the tree on the experiment branch', () => changeRow(a, 'CH-005'), WITHIN_MS);
    await git(['checkout', '-q', 'main']);
    const t0 = Date.now();
    await waitFor('CH-005 gone after checking out main', async () => !(await changeRow(a, 'CH-005')), WITHIN_MS);
    console.log(`      (tree updated ${Date.now() - t0} ms after git checkout main)`);
    await git(['checkout', '-q', 'experiment']);
    await waitFor('CH-005 back after checking out experiment', () => changeRow(a, 'CH-005'), WITHIN_MS);
    await git(['checkout', '-q', 'main']);
  });
});
