import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEvidence } from '../../../src/core/capture/evidenceStore';
import { concernsOf, raiseConcern } from '../../../src/core/concerns/concerns';
import { isDfError } from '../../../src/core/errors';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { layoutAt } from '../../../src/core/repo/layout';
import { changeStream } from '../../../src/core/audit/streams';
import { finishTask } from '../../../src/core/tasks/taskDone';
import { readTaskState } from '../../../src/core/tasks/taskState';
import { listTasks, nextTask, startTask, stopTask, type TaskContext } from '../../../src/core/tasks/taskWork';
import { Workspace } from '../../../src/core/workspace';
import { GitFixture } from '../capture/gitFixture';
import { tempDir } from '../core/tempRepo';

const NOW = '2026-11-21T09:00:00Z';
const TASKS = ['# Tasks', '', '- [ ] T-001 [P] Add a (files: a.txt)', '- [ ] T-002 [P] Add b', '- [ ] T-003 Join them (deps: T-001, T-002)', ''].join('\n');

describe('tasks: start, done and stop through the engine', () => {
  let t: ReturnType<typeof tempDir>;
  let repo: GitFixture;
  beforeEach(() => {
    t = tempDir('df-taskflow-');
    repo = new GitFixture(t.dir);
  });
  afterEach(() => t.cleanup());

  /** An initialised, committed project with one change (of `risk`) holding TASKS, and `tests` declared in config.yaml. */
  async function project(tests: { name: string; command: string }[] = [], risk: 'medium' | 'high' = 'medium'): Promise<{ ws: Workspace; ctx: TaskContext; tasksFile: string }> {
    initProject(layoutAt(t.dir), fixedClock(NOW));
    writeFileSync(join(t.dir, '.dynaforge', 'config.yaml'), `tests:\n${tests.map((x) => `  - name: ${x.name}\n    command: ${JSON.stringify(x.command)}\n`).join('') || '  []\n'}`);
    const ws = await Workspace.open({ cwd: t.dir, env: { DYNAFORGE_NOW: NOW } });
    const change = await ws.store.create({ title: 'Tasks by hand', risk });
    const tasksFile = join(t.dir, 'changes', change.id, 'tasks.md');
    writeFileSync(tasksFile, TASKS);
    repo.commit('project');
    return { ws, ctx: { ws, actor: ws.actor('user'), correlationId: 'cor-test' }, tasksFile };
  }

  const conflict = (re: RegExp) => (e: unknown) => isDfError(e) && e.code === 'conflict' && re.test(e.message);

  it('runs one task at a time per change, or [P] tasks side by side with parallel; stop forgets a start', async () => {
    const { ws, ctx, tasksFile } = await project();
    await assert.rejects(startTask(ctx, 'CH-001', 'T-003'), conflict(/T-003 cannot start: it depends on T-001 \(todo\), T-002 \(todo\)/));
    await assert.rejects(startTask(ctx, 'CH-001', 'T-009'), (e: unknown) => isDfError(e) && e.code === 'not-found' && /has no task T-009/.test(e.message));
    const first = await startTask(ctx, 'CH-001', 'T-001');
    assert.equal(first.marked, true);
    await assert.rejects(startTask(ctx, 'CH-001', 'T-001'), conflict(/already in progress in this working copy/));
    await assert.rejects(startTask(ctx, 'CH-001', 'T-002'), conflict(/T-001 is in progress for CH-001 in this working copy: one task at a time/));
    const second = await startTask(ctx, 'CH-001', 'T-002', { parallel: true });
    assert.deepEqual(second.alongside, ['T-001']);
    assert.deepEqual(Object.keys(readTaskState(ws.layout, 'CH-001').tasks), ['T-001', 'T-002']);
    assert.equal(readFileSync(tasksFile, 'utf8'), TASKS.replace('- [ ] T-001', '- [~] T-001').replace('- [ ] T-002', '- [~] T-002'));
    assert.equal(nextTask(ws, 'CH-001').next, undefined, 'T-003 waits for both');

    await stopTask(ctx, 'CH-001', 'T-002');
    assert.equal(readFileSync(tasksFile, 'utf8'), TASKS.replace('- [ ] T-001', '- [~] T-001'));
    assert.deepEqual(Object.keys(readTaskState(ws.layout, 'CH-001').tasks), ['T-001']);
    await assert.rejects(stopTask(ctx, 'CH-001', 'T-002'), conflict(/T-002 is not in progress \(it is todo\)/));
    const types = ws.audit.read(changeStream('CH-001')).map((e) => e.type);
    assert.deepEqual(types, ['task.started', 'task.started', 'task.stopped']);
  });

  it('a task is done only with changed files and passing tests; a failure raises a concern and a later success resolves it', async () => {
    const { ws, ctx, tasksFile } = await project([{ name: 'has-a', command: 'grep -q ready a.txt || { echo "a.txt is not ready"; exit 4; }' }]);
    await startTask(ctx, 'CH-001', 'T-001');
    const idle = await finishTask(ctx, 'CH-001', 'T-001');
    assert.equal(idle.outcome, 'blocked');
    assert.equal(idle.outcome === 'blocked' && idle.reason, 'no-changes');

    repo.write('a.txt', 'not yet\n');
    const failing = await finishTask(ctx, 'CH-001', 'T-001');
    assert.ok(failing.outcome === 'blocked');
    assert.equal(failing.reason, 'verification-failed');
    assert.deepEqual(failing.files.map((f) => f.path), ['a.txt']);
    assert.deepEqual(failing.failed.map((f) => [f.name, f.exit]), [['has-a', 4]]);
    assert.match(failing.concern.summary, /has-a \(exit 4\)[\s\S]*a\.txt is not ready/);
    assert.match(readFileSync(tasksFile, 'utf8'), /- \[~\] T-001/, 'still doing');
    assert.equal(readEvidence(ws.layout, 'CH-001').entries.length, 0, 'no evidence for a task that is not done');

    repo.write('a.txt', 'ready\n');
    const done = await finishTask(ctx, 'CH-001', 'T-001');
    assert.ok(done.outcome === 'done');
    assert.equal(done.evidence_ref, 'evidence.json#E-1');
    assert.deepEqual(done.resolved_concerns, ['C-1', 'C-2'], 'both earlier refusals are resolved');
    const entry = readEvidence(ws.layout, 'CH-001').entries[0];
    assert.ok(entry?.kind === 'task-diff');
    assert.equal(entry.task, 'T-001');
    assert.deepEqual(entry.files.map((f) => [f.path, f.status, f.additions]), [['a.txt', 'added', 1]]);
    assert.deepEqual(entry.verification.commands.map((c) => [c.name, c.exit]), [['has-a', 0]]);
    assert.equal(entry.verification.status, 'passed');
    assert.equal(readFileSync(tasksFile, 'utf8'), TASKS.replace('- [ ] T-001 [P] Add a (files: a.txt)', '- [x] T-001 [P] Add a (files: a.txt) (evidence: evidence.json#E-1)'));
    assert.deepEqual(ws.store.read('CH-001').evidence, ['evidence.json#E-1']);
    assert.equal(existsSync(join(t.dir, '.dynaforge', 'state', 'tasks', 'CH-001.json')), false, 'the baseline is forgotten once done');
    assert.deepEqual(concernsOf(ws.audit, 'CH-001').map((c) => c.status), ['resolved', 'resolved']);
    await assert.rejects(finishTask(ctx, 'CH-001', 'T-001'), conflict(/T-001 is already done \(evidence: evidence.json#E-1\)/));
    assert.equal(listTasks(ws, 'CH-001').tasks.find((x) => x.id === 'T-003')?.blocked_by.length, 1, 'T-003 still waits for T-002');
  });

  it("done by hand also resolves the Implementer's concerns that said the task was not done, once every task they name is done", async () => {
    const { ws, ctx } = await project();
    const implementer = { layout: ws.layout, audit: ws.audit, actor: { kind: 'agent' as const, id: 'dynaforge-implementer', role: 'implementer' }, correlationId: 'cor-run' };
    const raise = (summary: string, evidence: string[]) => raiseConcern(implementer, 'CH-001', { severity: 'medium', source: 'implementer', summary, evidence });
    await raise('task-1 (Add a) claimed done but its verification fails — not marked done', ['artifacts/work/CH-001/run-1', 'artifacts/work/CH-001/run-1/state.json#task-1', 'tasks.md#T-001', 'a.txt']);
    await raise('the step budget is spent with task-1, task-2 not done', ['artifacts/work/CH-001/run-1', 'tasks.md#T-001', 'tasks.md#T-002']);
    await raise('needed to write x outside the scope', ['artifacts/work/CH-001/run-1']);

    await startTask(ctx, 'CH-001', 'T-001');
    repo.write('a.txt', 'a\n');
    const one = await finishTask(ctx, 'CH-001', 'T-001');
    assert.ok(one.outcome === 'done');
    assert.deepEqual(one.resolved_concerns, ['C-1'], 'the stopped run also named T-002, not done yet');
    await startTask(ctx, 'CH-001', 'T-002');
    repo.write('b.txt', 'b\n');
    const two = await finishTask(ctx, 'CH-001', 'T-002');
    assert.ok(two.outcome === 'done');
    assert.deepEqual(two.resolved_concerns, ['C-2']);
    assert.deepEqual(concernsOf(ws.audit, 'CH-001').map((c) => c.status), ['resolved', 'resolved', 'open'], 'a concern naming no task stays');
  });

  it('a high-risk change without declared tests needs an explicit --no-verify, which the evidence records', async () => {
    const { ws, ctx } = await project([], 'high');
    await startTask(ctx, 'CH-001', 'T-002');
    repo.write('b.txt', 'b\n');
    const r = await finishTask(ctx, 'CH-001', 'T-002');
    assert.ok(r.outcome === 'blocked' && r.reason === 'unverified');
    assert.match(r.concern.summary, /high risk and \.dynaforge\/config\.yaml declares no tests\[\]/);
    const skipped = await finishTask(ctx, 'CH-001', 'T-002', { noVerify: true });
    assert.ok(skipped.outcome === 'done');
    assert.deepEqual(skipped.evidence.verification, { status: 'skipped', commands: [] });
    assert.match(skipped.warnings.join('\n'), /verification skipped \(--no-verify\)/);
    assert.equal(readEvidence(ws.layout, 'CH-001').entries[0]?.kind, 'task-diff');
  });

  it('refuses to finish a task not started here, and notices a task changed while its tests ran', async () => {
    const { ctx, tasksFile } = await project([{ name: 'edits-tasks', command: `node -e "const f=require('fs');const p='changes/CH-001/tasks.md';f.writeFileSync(p,f.readFileSync(p,'utf8').replace('[~] T-001','[ ] T-001'))"` }]);
    writeFileSync(tasksFile, TASKS.replace('- [ ] T-001', '- [~] T-001'));
    await assert.rejects(finishTask(ctx, 'CH-001', 'T-001'), conflict(/marks it doing, but it was not started in this working copy/));
    const r = await startTask(ctx, 'CH-001', 'T-001');
    assert.equal(r.marked, false, 'already doing in tasks.md: only the baseline is taken');
    repo.write('a.txt', 'a\n');
    await assert.rejects(finishTask(ctx, 'CH-001', 'T-001'), conflict(/T-001 changed while it was being verified \(it is now todo\)/));
  });
});
