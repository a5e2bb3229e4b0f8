import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../../src/core/canonical';
import { readEvidence } from '../../../src/core/capture/evidenceStore';
import { staleEvidence } from '../../../src/core/drift/scope';
import { startRun } from '../../../src/core/implementer/implement';
import { EMPTY_TREE } from '../../../src/core/repo/gitHistory';
import type { ImplementerEvidence } from '../../../src/core/schema/evidence';
import { call, FakeModel, planAnswer, project, say, type Project } from './fixture';

const TASKS_MD = '# Tasks\n\n- [ ] T-001 Add the counter\n';
const EXISTING = 'module.exports = 1;\n';
const COUNTER = 'module.exports = (xs) => xs.length;\n';
const COUNTER_2 = 'module.exports = (xs) => (xs ? xs.length : 0);\n';
const COUNTER_TEST = "require('../src/counter');\n";

/** Two tasks: T-001 creates the counter and its test; the second (in the run only) rewrites the counter and edits an existing file. */
function model(): FakeModel {
  return new FakeModel([
    planAnswer([
      { id: 'T-001', title: 'Add the counter', files: ['src/counter.js', 'test/counter.test.js'], verify: ['unit'] },
      { title: 'Use the counter', files: ['src/existing.js', 'src/counter.js'] },
    ]),
    call(['write_file', { path: 'src/counter.js', content: COUNTER }], ['write_file', { path: 'test/counter.test.js', content: COUNTER_TEST }]),
    say('Added the counter.'),
    call(['write_file', { path: 'src/counter.js', content: COUNTER_2 }], ['apply_patch', { path: 'src/existing.js', edits: [{ search: '= 1;', replace: "= require('./counter');" }] }]),
    say('Wired it in.'),
  ]);
}

function entries(p: Project): ImplementerEvidence[] {
  return readEvidence(p.ws.layout, p.chId).entries.map((e) => {
    assert.equal(e.kind, 'implementer-task');
    return e as ImplementerEvidence;
  });
}

/** Every `evidence.json#E-n` a text links, and whether the change's evidence.json has that entry. */
function links(p: Project, text: string): [string, boolean][] {
  const ids = new Set(readEvidence(p.ws.layout, p.chId).entries.map((e) => e.id));
  return [...text.matchAll(/evidence\.json#(E-\d+)/g)].map((m) => [m[0], ids.has(m[1] as string)]);
}

describe('implementer: the evidence of a finished task is durable', function () {
  this.timeout(30_000);
  let p: Project;
  afterEach(() => p?.cleanup());

  it('goes to evidence.json like `task done`: change.yaml, tasks.md and CHANGE_SUMMARY.md link it, and the links outlive the run folder', async () => {
    p = await project({ tasksMd: TASKS_MD, files: { 'src/existing.js': EXISTING } });
    const r = await startRun(p.deps(model()), { chId: p.chId });
    assert.equal(r.run.status, 'succeeded', r.why);

    const [first, second] = entries(p);
    assert.deepEqual(first, {
      id: 'E-1',
      kind: 'implementer-task',
      captured_at: '2026-11-21T09:00:00.000Z',
      task: 'T-001',
      source: { kind: 'implementer', run_id: r.run.run_id, run: 1, task: 'task-1', step: 3, base: EMPTY_TREE },
      commits: [],
      files: [
        { path: 'src/counter.js', status: 'added', binary: false, sha256_after: sha256(COUNTER) },
        { path: 'test/counter.test.js', status: 'added', binary: false, sha256_after: sha256(COUNTER_TEST) },
      ],
      verification: { status: 'passed', commands: [{ name: 'unit', command: 'node check-unit.js', exit: 0, timed_out: false }] },
    });
    // The second task is judged against what the first left: the counter is modified, not added.
    assert.equal(second?.task, undefined, 'a run task not linked to tasks.md');
    assert.deepEqual(second?.source, { kind: 'implementer', run_id: r.run.run_id, run: 1, task: 'task-2', step: 5, base: EMPTY_TREE });
    assert.deepEqual(second?.files, [
      { path: 'src/counter.js', status: 'modified', binary: false, sha256_before: sha256(COUNTER), sha256_after: sha256(COUNTER_2) },
      { path: 'src/existing.js', status: 'modified', binary: false, sha256_before: sha256(EXISTING), sha256_after: sha256(p.read('src/existing.js')) },
    ]);

    assert.deepEqual(p.ws.store.read(p.chId).evidence, ['evidence.json#E-1', 'evidence.json#E-2']);
    const updated = p.audit().filter((e) => e.type === 'change.updated');
    assert.deepEqual(updated.map((e) => [e.actor.role, e.run_id, e.payload.fields]), [['implementer', r.run.run_id, ['evidence']], ['implementer', r.run.run_id, ['evidence']]]);
    assert.deepEqual(r.states.map((s) => s.evidence), ['evidence.json#E-1', 'evidence.json#E-2']);

    const tasksMd = p.read(`changes/${p.chId}/tasks.md`);
    const summary = p.read(`changes/${p.chId}/CHANGE_SUMMARY.md`);
    assert.equal(tasksMd, '# Tasks\n\n- [x] T-001 Add the counter (evidence: evidence.json#E-1)\n');
    assert.match(summary, /### task-1: Add the counter \(T-001 in tasks\.md\) — done\n\n[^#]*- Evidence: `evidence\.json#E-1`\n/);
    assert.match(summary, /### task-2: Use the counter — done\n\n[^#]*- Evidence: `evidence\.json#E-2`\n/);
    assert.doesNotMatch(`${tasksMd}${summary}`, /state\.json/, 'nothing links into the run folder');

    // Retention purges a successful run: every link still lands on an entry.
    rmSync(join(p.dir, r.folder), { recursive: true });
    assert.deepEqual(links(p, tasksMd), [['evidence.json#E-1', true]]);
    assert.deepEqual(links(p, summary), [['evidence.json#E-1', true], ['evidence.json#E-2', true]]);
  });

  it('in a git repository: blob ids and line counts as `task done` records them, HEAD as base, and scope drift reads the entries', async () => {
    p = await project({ tasksMd: TASKS_MD, files: { 'src/existing.js': EXISTING }, git: true });
    const r = await startRun(p.deps(model()), { chId: p.chId });
    assert.equal(r.run.status, 'succeeded', r.why);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: p.dir, encoding: 'utf8' }).trim();
    const blob = (text: string) => execFileSync('git', ['hash-object', '--stdin'], { cwd: p.dir, input: text, encoding: 'utf8' }).trim();

    const [first, second] = entries(p);
    assert.equal(first?.source.base, git('rev-parse', 'HEAD'));
    assert.deepEqual(first?.files[0], { path: 'src/counter.js', status: 'added', binary: false, additions: 1, deletions: 0, blob_after: blob(COUNTER), sha256_after: sha256(COUNTER) });
    assert.deepEqual(second?.files.find((f) => f.path === 'src/counter.js'), {
      path: 'src/counter.js',
      status: 'modified',
      binary: false,
      additions: 1,
      deletions: 1,
      blob_before: blob(COUNTER),
      blob_after: blob(COUNTER_2),
      sha256_before: sha256(COUNTER),
      sha256_after: sha256(COUNTER_2),
    });
    assert.equal(second?.files.find((f) => f.path === 'src/existing.js')?.blob_before, git('rev-parse', 'HEAD:src/existing.js'), 'the blob before is the committed one');

    const change = p.ws.store.read(p.chId);
    assert.deepEqual(await staleEvidence(p.ws, change), [], 'the working copy holds what the evidence recorded: no drift');
    writeFileSync(join(p.dir, 'src/existing.js'), '// edited since\n');
    assert.deepEqual(
      (await staleEvidence(p.ws, change)).map((s) => [s.path, s.evidence, s.recorded]),
      [['src/existing.js', 'evidence.json#E-2', blob("module.exports = require('./counter');\n")]],
      'a file changed after its evidence was taken is scope drift, naming the entry',
    );
  });
});
