import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changesWithRuns, listRuns } from '../../../src/core/implementer/runList';

describe('listRuns: the Implementer runs of a change, as the faces list them', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'df-runs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = (n: number, json: unknown, retain = false) => {
    const dir = join(root, 'artifacts', 'work', 'CH-007', `run-${n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.json'), typeof json === 'string' ? json : JSON.stringify(json));
    if (retain) writeFileSync(join(dir, '.retain'), '');
  };
  const record = (n: number, status: string) => ({ version: 1, run_id: `r${n}`, ch_id: 'CH-007', n, status, seed: 1, model: 'scripted', started: '2026-11-20T10:00:00.000Z', max_steps: 40, steps_done: 3 });

  it('a change without runs has none', () => {
    assert.deepEqual(listRuns(root, 'CH-007'), []);
  });

  it('lists newest first, with the record, the .retain marker, and why an unreadable run.json cannot be used', () => {
    run(1, record(1, 'succeeded'));
    run(2, record(2, 'failed'), true);
    run(10, '{ not json');
    run(3, record(4, 'running'));
    mkdirSync(join(root, 'artifacts', 'work', 'CH-007', 'notes'));
    const runs = listRuns(root, 'CH-007');
    assert.deepEqual(runs.map((r) => r.n), [10, 3, 2, 1]);
    assert.equal(runs[3]?.run?.status, 'succeeded');
    assert.equal(runs[3]?.path, 'artifacts/work/CH-007/run-1');
    assert.equal(runs[2]?.retained, true);
    assert.equal(runs[3]?.retained, false);
    assert.match(runs[0]?.problem ?? '', /run\.json is not valid JSON/);
    assert.match(runs[1]?.problem ?? '', /describes CH-007\/run-4, not the folder it is in/);
    assert.equal(runs[0]?.run, undefined);
  });

  it('changesWithRuns names the changes with a runs folder, from one directory read', () => {
    assert.deepEqual([...changesWithRuns(root)], []);
    run(1, record(1, 'succeeded'));
    mkdirSync(join(root, 'artifacts', 'work', 'CH-012'));
    mkdirSync(join(root, 'artifacts', 'work', 'scratch'));
    assert.deepEqual([...changesWithRuns(root)].sort(), ['CH-007', 'CH-012']);
  });
});
