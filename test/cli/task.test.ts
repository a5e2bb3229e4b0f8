import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { assertOnlyCommandEventAdded, baseEnv, cliSuite, commitAll, PROJECT_STREAM, snapshot, TempRepo } from './cliHarness';

const STREAM = 'audit/changes/CH-001.jsonl';
const FRONT = '---\ndynaforge:\n  artifact: tasks\n  change: CH-001\n  derived_from: {}\n---\n';
const TASKS = [
  '# CH-001 tasks: Tasks by hand',
  '',
  '<!-- written by a person -->',
  '- [ ] T-001 Change the greeting (files: src/greet.txt)',
  '- [ ] T-002 Add a farewell (deps: T-001)',
  '- [-] T-003 Dropped idea',
  '- [ ] T-004 Needs a missing task (deps: T-009)',
  '',
].join('\n');

interface TaskJson {
  id: string;
  state: string;
  deps: string[];
  files: string[];
  evidence?: string;
  blocked_by: { id: string; state: string }[];
}
interface DoneJson {
  outcome: 'done' | 'blocked';
  reason?: string;
  evidence_ref?: string;
  evidence?: { kind: string; task: string; diff_sha256: string; files: { path: string; status: string }[]; verification: { status: string; commands: { name: string; exit: number }[] }; source: { baseline: string; tree: string } };
  concern?: { id: string; summary: string; status: string };
  failed?: { name: string; exit: number; output_tail: string }[];
  warnings?: string[];
}

/** A project with change CH-001 (active) holding TASKS under front matter, `tests` declared, everything committed. */
async function project(tests: string): Promise<TempRepo> {
  const repo = await TempRepo.create();
  await repo.ok('new', 'Tasks by hand', '--use');
  writeFileSync(repo.path('changes/CH-001/tasks.md'), FRONT + TASKS);
  writeFileSync(repo.path('.dynaforge/config.yaml'), `tests:\n${tests}`);
  writeFileSync(repo.path('README.md'), 'hello\n');
  writeFileSync(repo.path('old.txt'), 'to be removed\n');
  commitAll(repo.dir, 'project');
  return repo;
}

const CHECK_GREETING = `  - name: greeting\n    command: "grep -q farewell-free src/greet.txt || { echo 'greeting check: src/greet.txt lacks the marker'; exit 3; }"\n`;

describe('cli: task list, next, start, done, stop', () => {
  cliSuite();

  it('start, edit (rename, delete, add an untracked file), done with a passing test: evidence, tasks.md link, events', async () => {
    const repo = await project(CHECK_GREETING);
    const listed = await repo.json<{ tasks: TaskJson[] }>('task', 'list');
    assert.deepEqual(listed.tasks.map((t) => [t.id, t.state, t.blocked_by.map((b) => `${b.id}:${b.state}`).join(',')]), [
      ['T-001', 'todo', ''],
      ['T-002', 'todo', 'T-001:todo'],
      ['T-003', 'dropped', ''],
      ['T-004', 'todo', 'T-009:missing'],
    ]);
    assert.match((await repo.ok('task', 'next')).stdout, /^Next in CH-001: T-001 Change the greeting \(files: src\/greet\.txt\)\n {2}start it: dynaforge task start T-001\n/);

    const started = await repo.ok('task', 'start', 'T-001');
    assert.match(started.stdout, /Started T-001 of CH-001: Change the greeting/);
    const doing = FRONT + TASKS.replace('- [ ] T-001', '- [~] T-001');
    assert.equal(repo.read('changes/CH-001/tasks.md'), doing, 'only the box of T-001 changed; front matter and every other line kept');
    const state = JSON.parse(repo.read('.dynaforge/state/tasks/CH-001.json')) as { tasks: Record<string, { baseline: string; head: string }> };
    assert.equal(state.tasks['T-001']?.head, repo.git('rev-parse', 'HEAD'));

    repo.git('mv', 'README.md', 'README.txt'); // staged by the user: dynaforge must leave their index as it is
    rmSync(repo.path('old.txt')); // deleted, not staged
    mkdirSync(repo.path('src'));
    writeFileSync(repo.path('src/greet.txt'), 'hello, farewell-free\n'); // untracked
    const indexBefore = readFileSync(repo.path('.git/index'));
    const statusBefore = repo.git('status', '--porcelain=v1', '-uall');

    const done = await repo.json<DoneJson>('task', 'done', 'T-001');
    assert.equal(done.outcome, 'done');
    assert.equal(done.evidence_ref, 'evidence.json#E-1');
    assert.deepEqual(done.evidence?.files.map((f) => [f.path, f.status]), [
      ['README.txt', 'renamed'],
      ['old.txt', 'deleted'],
      ['src/greet.txt', 'added'],
    ]);
    assert.equal(done.evidence?.verification.status, 'passed');
    assert.deepEqual(done.evidence?.verification.commands.map((c) => [c.name, c.exit]), [['greeting', 0]]);
    assert.deepEqual(readFileSync(repo.path('.git/index')), indexBefore, "the user's index is untouched");
    const outsideRecords = (status: string) => status.split('\n').filter((l) => !/ (changes|audit)\//.test(l));
    assert.deepEqual(outsideRecords(repo.git('status', '--porcelain=v1', '-uall')), outsideRecords(statusBefore), 'and so are the files');
    const src = done.evidence?.source as { baseline: string; tree: string };
    const patch = execFileSync('git', ['diff', '--binary', '--full-index', '--relative', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--src-prefix=a/', '--dst-prefix=b/', src.baseline, src.tree, '--'], { cwd: repo.dir, env: baseEnv() });
    assert.equal(createHash('sha256').update(patch).digest('hex'), done.evidence?.diff_sha256, 'anyone can recompute the diff hash from the two recorded trees');

    assert.equal(repo.read('changes/CH-001/tasks.md'), FRONT + TASKS.replace('- [ ] T-001 Change the greeting (files: src/greet.txt)', '- [x] T-001 Change the greeting (files: src/greet.txt) (evidence: evidence.json#E-1)'));
    const evidence = JSON.parse(repo.read('changes/CH-001/evidence.json')) as { entries: { id: string; kind: string; task: string; source: { baseline: string } }[] };
    assert.deepEqual(evidence.entries.map((e) => [e.id, e.kind, e.task, e.source.baseline]), [['E-1', 'task-diff', 'T-001', state.tasks['T-001']?.baseline]]);
    assert.match(repo.read('changes/CH-001/change.yaml'), /evidence:\n {2}- evidence.json#E-1/);
    assert.equal(existsSync(repo.path('.dynaforge/state/tasks/CH-001.json')), false);

    const events = repo.auditEvents().filter((e) => e.file === STREAM);
    const types = events.map((e) => (e.type === 'command' ? `command ${String(e.payload.name)}` : e.type));
    assert.deepEqual(types.slice(types.indexOf('task.started')), ['task.started', 'command task start', 'change.updated', 'task.completed', 'command task done']);
    const completed = events.find((e) => e.type === 'task.completed');
    assert.deepEqual({ ...completed?.payload, hash: undefined, baseline: undefined, tree: undefined, diff_sha256: undefined }, {
      task: 'T-001',
      evidence: 'evidence.json#E-1',
      file: 'changes/CH-001/tasks.md',
      files: 3,
      verification: 'passed',
      commands: [{ name: 'greeting', exit: 0, timed_out: false }],
      hash: undefined,
      baseline: undefined,
      tree: undefined,
      diff_sha256: undefined,
    });
    await repo.ok('audit', 'verify');

    assert.match((await repo.ok('task', 'next')).stdout, /^Next in CH-001: T-002 Add a farewell/, 'T-002 is ready once T-001 is done');
  });

  it('done with no changes: a concern, the task stays doing, exit 1', async () => {
    const repo = await project(CHECK_GREETING);
    await repo.ok('task', 'start', 'T-001');
    writeFileSync(repo.path('changes/CH-001/notes.md'), 'the tool\'s records do not count\n');
    const r = await repo.run(['task', 'done', 'T-001']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /T-001 is not done: no file changed since `task start`/);
    assert.match(r.stderr, /concern CH-001\/C-1 raised/);
    assert.match(r.stderr, /fix: make the changes the task asks for/);
    assert.match(repo.read('changes/CH-001/tasks.md'), /- \[~\] T-001/);
    assert.equal(existsSync(repo.path('changes/CH-001/evidence.json')), false);
    const concerns = (await repo.json<{ concerns: { id: string; status: string; summary: string; source: string }[] }>('concern', 'list', 'CH-001')).concerns;
    assert.deepEqual(concerns.map((c) => [c.id, c.status, c.source]), [['C-1', 'open', 'task done']]);
    const blocked = repo.auditEvents().find((e) => e.type === 'task.blocked');
    assert.deepEqual(blocked?.payload.reason, 'no-changes');
    assert.equal(blocked?.payload.concern_id, 'C-1');
    const cmd = repo.auditEvents().filter((e) => e.type === 'command' && e.payload.name === 'task done');
    assert.deepEqual(cmd.map((e) => [e.payload.outcome, e.payload.exit_code]), [['error', 1]]);
  });

  it('done with a failing test: the concern quotes the output, the task stays doing; fixed, it is done and the concern resolved', async () => {
    const repo = await project(CHECK_GREETING);
    await repo.ok('task', 'start', 'T-001');
    mkdirSync(repo.path('src'));
    writeFileSync(repo.path('src/greet.txt'), 'hello\n');
    const r = await repo.run(['--json', 'task', 'done', 'T-001']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as DoneJson & { ok: boolean };
    assert.equal(out.outcome, 'blocked');
    assert.equal(out.reason, 'verification-failed');
    assert.deepEqual(out.failed?.map((f) => [f.name, f.exit]), [['greeting', 3]]);
    assert.match(out.failed?.[0]?.output_tail ?? '', /src\/greet\.txt lacks the marker/);
    assert.match(out.concern?.summary ?? '', /verification failed: greeting \(exit 3\)[\s\S]*src\/greet\.txt lacks the marker/);
    assert.match(repo.read('changes/CH-001/tasks.md'), /- \[~\] T-001/);
    const raised = repo.auditEvents().find((e) => e.type === 'concern.raised');
    assert.match(String(raised?.payload.summary), /greeting check: src\/greet\.txt lacks the marker/, 'the output tail is in the recorded concern');

    writeFileSync(repo.path('src/greet.txt'), 'hello, farewell-free\n');
    const ok = await repo.ok('task', 'done', 'T-001');
    assert.match(ok.stdout, /T-001 of CH-001 done, with evidence evidence\.json#E-1/);
    assert.match(ok.stdout, /verification passed: greeting \(exit 0/);
    assert.match(ok.stdout, /resolved CH-001\/C-1/);
    await repo.ok('audit', 'verify');
  });

  it('refuses unknown, malformed, dropped, done and blocked tasks with clear messages, writing nothing but the command event', async () => {
    const repo = await project(CHECK_GREETING);
    writeFileSync(repo.path('changes/CH-001/tasks.md'), FRONT + TASKS.replace('- [ ] T-001 Change', '- [x] T-001 Change'));
    commitAll(repo.dir, 'T-001 done by hand');
    for (const [args, code, msg, stream] of [
      [['task', 'start', 'T-042'], 1, /changes\/CH-001\/tasks\.md has no task T-042 \(it has T-001, T-002, T-003, T-004\)/, STREAM],
      [['task', 'start', 'first'], 2, /"first" is not a task id/, PROJECT_STREAM],
      [['task', 'start', 'T-003'], 1, /T-003 is dropped/, STREAM],
      [['task', 'start', 'T-001'], 1, /T-001 is already done/, STREAM],
      [['task', 'start', 'T-004'], 1, /T-004 cannot start: it depends on T-009 \(not in tasks\.md\), not done yet/, STREAM],
      [['task', 'done', 'T-002'], 1, /T-002 was not started with `dynaforge task start`: it is todo/, STREAM],
      [['task', 'start', 'T-002', '--change', 'CH-007'], 1, /there is no change CH-007/, PROJECT_STREAM],
      [['task', 'done', 'T-002', '--verify', 'nope'], 2, /--verify nope: no such test in \.dynaforge\/config\.yaml/, STREAM],
      [['task', 'done', 'T-002', '--verify', 'greeting', '--no-verify'], 2, /--verify and --no-verify contradict each other/, PROJECT_STREAM],
    ] as const) {
      const before = snapshot(repo.dir);
      const r = await repo.run(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.match(r.stderr, /fix: /);
      assertOnlyCommandEventAdded(repo, before, code, stream);
    }
    await repo.ok('task', 'start', 'T-002');
    const second = await repo.run(['task', 'start', 'T-004']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /T-004 cannot start/, 'dependencies are checked before the one-at-a-time rule');
  });

  it('--no-verify and a project without tests: done, recorded as skipped or unverified, with a warning', async () => {
    const repo = await project('  []\n');
    await repo.ok('task', 'start', '1');
    writeFileSync(repo.path('new.txt'), 'n\n');
    const r = await repo.ok('task', 'done', 'T-001');
    assert.match(r.stdout, /verification none \(no tests\[\] declared\)/);
    assert.match(r.stdout, /warning: nothing verified T-001/);
    await repo.ok('task', 'start', 'T-002');
    writeFileSync(repo.path('new.txt'), 'n2\n');
    const skipped = await repo.json<DoneJson>('task', 'done', 'T-002', '--no-verify');
    assert.equal(skipped.evidence?.verification.status, 'skipped');
    const completed = repo.auditEvents().filter((e) => e.type === 'task.completed').map((e) => [e.payload.task, e.payload.verification, e.payload.evidence]);
    assert.deepEqual(completed, [['T-001', 'unverified', 'evidence.json#E-1'], ['T-002', 'skipped', 'evidence.json#E-2']]);
  });

  it('stop sets the task back to todo and forgets its baseline, finding the change the task was started in when none is active', async () => {
    const repo = await project(CHECK_GREETING);
    await repo.ok('use', '--clear');
    await repo.ok('task', 'start', 'T-001', '--change', 'CH-001');
    assert.match((await repo.ok('task', 'stop', 'T-001')).stdout, /Stopped T-001 of CH-001: back to todo/);
    assert.equal(repo.read('changes/CH-001/tasks.md'), FRONT + TASKS);
    assert.equal(existsSync(repo.path('.dynaforge/state/tasks/CH-001.json')), false);
    const types = repo.auditEvents().filter((e) => e.file === STREAM && e.type.startsWith('task.')).map((e) => e.type);
    assert.deepEqual(types, ['task.started', 'task.stopped']);
  });
});
