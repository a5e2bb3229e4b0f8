import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startRun } from '../../src/core/implementer/implement';
import { commandVerifier } from '../../src/core/implementer/verifier';
import { RecordingModel } from '../../src/core/model/recordingModel';
import { RunSchema } from '../../src/core/schema/run';
import { withRunLock } from '../../src/core/implementer/runLock';
import { layoutAt } from '../../src/core/repo/layout';
import { Workspace } from '../../src/core/workspace';
import { call, FakeModel, planAnswer, say } from '../unit/implementer/fixture';
import { baseEnv, CLI, cliSuite, diffSnapshots, NOW, snapshot, TempRepo, type AuditLine } from './cliHarness';

/**
 * `dynaforge implement` end to end, replaying a cassette. The cassette is made by the test
 * itself: the engine runs in-process against a fake model wrapped in record mode, in a
 * repository set up exactly like the ones the CLI then replays in.
 */
const CASSETTE = 'cassettes/implement.jsonl';
const CH = 'CH-001';
const COUNTER = 'module.exports = (xs) => xs.length;\n';
const COUNTER_TEST = "const count = require('../src/counter');\nif (count([1, 2, 3]) !== 3) throw new Error('count is wrong');\n";
const CHECK = [
  "if (process.env.SLOW) setTimeout(() => {}, 60000);",
  'else {',
  "  let count;",
  "  try { count = require('./src/counter.js'); } catch { console.log('FAIL: no src/counter.js'); process.exit(1); }",
  "  require('./test/counter.test.js');",
  "  console.log('ok: counts ' + count([1, 2, 3]));",
  '}',
  '',
].join('\n');

const SCRIPT = () => [
  planAnswer(
    [
      { id: 'T-001', title: 'Add the counter', files: ['src/counter.js', 'test/counter.test.js'], verify: ['unit'] },
      { title: 'Export the counter', files: ['src/index.js'], verify: ['unit'] },
    ],
    'A counter, exported from the package.',
  ),
  call(['read_file', { path: 'src/index.js' }]),
  call(['write_file', { path: 'src/counter.js', content: COUNTER }], ['write_file', { path: 'test/counter.test.js', content: COUNTER_TEST }]),
  call(['run_verification', {}]),
  say('Added src/counter.js and its test; unit passes.'),
  call(['apply_patch', { path: 'src/index.js', edits: [{ search: 'module.exports = {};', replace: "module.exports = { count: require('./counter') };" }] }]),
  say('Exported the counter.'),
];

const SCRIPTED = { DYNAFORGE_MODEL_PROVIDER: 'scripted', DYNAFORGE_MODEL_CASSETTE: CASSETTE };

function put(dir: string, rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** A project with one change (CH-001, scope src and test), a declared test command and a tasks.md. */
async function setup(cassette?: string): Promise<TempRepo> {
  const repo = await TempRepo.create();
  const config = repo.path('.dynaforge', 'config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('tests: []\n', 'tests:\n  - name: unit\n    command: node check.js\n    timeout_s: 60\n'));
  put(repo.dir, 'check.js', CHECK);
  put(repo.dir, 'src/index.js', 'module.exports = {};\n');
  await repo.ok('new', 'Count things', '--scope', 'src', 'test');
  put(repo.dir, `changes/${CH}/tasks.md`, '# Tasks\n\n- [ ] T-001 Add the counter\n');
  if (cassette !== undefined) put(repo.dir, CASSETTE, cassette);
  // Committed at the fixed time: HEAD, which the evidence records as its base, is the same in every fresh repository.
  repo.git('add', '-A');
  execFileSync('git', ['commit', '-q', '-m', 'setup'], { cwd: repo.dir, env: baseEnv({ GIT_AUTHOR_DATE: NOW, GIT_COMMITTER_DATE: NOW }) });
  return repo;
}

let cassette: string | undefined;

/** Records the cassette once: the engine, in-process, with the fake model in record mode. */
async function recorded(): Promise<string> {
  if (cassette !== undefined) return cassette;
  const repo = await setup();
  const ws = await Workspace.open({ cwd: repo.dir, env: { DYNAFORGE_NOW: NOW } });
  const model = new RecordingModel(new FakeModel(SCRIPT()), { file: repo.path(CASSETTE), display: CASSETTE }, 'all');
  const r = await startRun({ ws, model, verifier: commandVerifier(repo.dir, baseEnv()), correlationId: 'cor-record' }, { chId: CH });
  assert.equal(r.run.status, 'succeeded', `the recording run must succeed: ${r.why ?? ''}`);
  cassette = readFileSync(repo.path(CASSETTE), 'utf8');
  return cassette;
}

function changeEvents(repo: TempRepo): AuditLine[] {
  return repo.auditEvents().filter((e) => e.file === `audit/changes/${CH}.jsonl`);
}

describe('cli: implement', function () {
  this.timeout(120_000);
  cliSuite();

  it('replays a cassette: files changed, tasks.md marked, CHANGE_SUMMARY.md, run.json and the audit trail', async () => {
    const repo = await setup(await recorded());
    const r = await repo.run(['implement', CH], { env: SCRIPTED });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Implementing artifacts\/work\/CH-001\/run-1 \(model scripted \(cassette cassettes\/implement\.jsonl\), seed 0, budget 50 steps\)$/m);
    assert.match(r.stdout, /^ {2}plan: 2 task\(s\), task list hash [0-9a-f]{12}$/m);
    assert.match(r.stdout, /^ {2}write_file: created src\/counter\.js$/m);
    assert.match(r.stdout, /^ {2}verification unit: passed$/m);
    assert.match(r.stdout, /^ {2}task-1 done: changed src\/counter\.js, test\/counter\.test\.js$/m);
    assert.match(r.stdout, /^Run artifacts\/work\/CH-001\/run-1 succeeded: 2 of 2 task\(s\) done in 7 of 50 steps$/m);

    assert.equal(repo.read('src/counter.js'), COUNTER);
    assert.equal(repo.read('test/counter.test.js'), COUNTER_TEST);
    assert.equal(repo.read('src/index.js'), "module.exports = { count: require('./counter') };\n");
    assert.equal(repo.read(`changes/${CH}/tasks.md`), `# Tasks\n\n- [x] T-001 Add the counter (evidence: evidence.json#E-1)\n`);
    // The evidence is the change's own (it outlives the run folder), with git's blob ids as `task done` records them.
    const evidence = JSON.parse(repo.read(`changes/${CH}/evidence.json`)) as { entries: { id: string; kind: string; task?: string; files: { path: string; blob_after?: string }[] }[] };
    assert.deepEqual(evidence.entries.map((e) => [e.id, e.kind, e.task]), [['E-1', 'implementer-task', 'T-001'], ['E-2', 'implementer-task', undefined]]);
    assert.deepEqual(evidence.entries[0]?.files.map((f) => [f.path, f.blob_after]), ['src/counter.js', 'test/counter.test.js'].map((f) => [f, repo.git('hash-object', f).trim()]));
    assert.match(repo.read(`changes/${CH}/CHANGE_SUMMARY.md`), /- Evidence: `evidence\.json#E-2`/);
    const checked = await repo.run(['--json', 'check']);
    assert.ok(!checked.stdout.includes('scope-drift:CH-001:evidence'), `check reads the evidence: no drift\n${checked.stdout}`);
    assert.match(repo.read(`changes/${CH}/CHANGE_SUMMARY.md`), /## Files changed[\s\S]*`src\/counter\.js` \| created[\s\S]*`src\/index\.js` \| modified/);
    const lines = (out: string) => out.split('\n').filter((l) => l && !l.startsWith('audit/'));
    assert.deepEqual(lines(repo.git('diff', '--name-only')), [`changes/${CH}/change.yaml`, `changes/${CH}/tasks.md`, 'src/index.js']);
    assert.deepEqual(lines(repo.git('ls-files', '--others', '--exclude-standard')), [`changes/${CH}/CHANGE_SUMMARY.md`, `changes/${CH}/evidence.json`, 'src/counter.js', 'test/counter.test.js'], 'the run folder is gitignored: only code, tests and the change record (tasks.md, evidence, CHANGE_SUMMARY.md) persist');

    const run = RunSchema.parse(JSON.parse(repo.read(`artifacts/work/${CH}/run-1/run.json`)));
    assert.deepEqual([run.status, run.n, run.seed, run.steps_done, run.max_steps, run.model], ['succeeded', 1, 0, 7, 50, `scripted (cassette ${CASSETTE})`]);
    const events = changeEvents(repo);
    const impl = events.filter((e) => e.type.startsWith('implementer.'));
    assert.deepEqual(
      [...new Set(impl.map((e) => e.type))].sort(),
      ['implementer.file_changed', 'implementer.step_finished', 'implementer.step_started', 'implementer.task_generated', 'implementer.test_added', 'implementer.verdict_pass'],
    );
    assert.ok(impl.every((e) => (e as AuditLine & { run_id?: string }).run_id === run.run_id));
    assert.ok(impl.filter((e) => e.type === 'implementer.task_generated').every((e) => e.payload.tasks_hash === run.tasks_hash));
    assert.deepEqual(impl.filter((e) => e.type === 'implementer.file_changed').map((e) => e.payload.path), ['src/counter.js', 'test/counter.test.js', 'src/index.js']);
    assert.deepEqual(impl.filter((e) => e.type === 'implementer.test_added').map((e) => e.payload.path), ['test/counter.test.js']);
    const command = events.filter((e) => e.type === 'command').pop();
    assert.deepEqual([command?.payload.name, command?.payload.outcome], ['implement', 'ok']);
    await repo.ok('audit', 'verify');
  });

  it('--dry-run shows the plan and what would happen, and changes nothing but its command event', async () => {
    const repo = await setup(await recorded());
    const before = snapshot(repo.dir);
    const r = await repo.run(['implement', CH, '--dry-run'], { env: SCRIPTED });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Dry run of CH-001: nothing was written\./m);
    assert.match(r.stdout, /^ {2}task-1 Add the counter \(would mark T-001 done in tasks\.md\)$/m);
    assert.match(r.stdout, /^ {4}files: src\/counter\.js, test\/counter\.test\.js$/m);
    assert.match(r.stdout, /^ {4}verify: unit \(node check\.js\)$/m);
    assert.match(r.stdout, /A run would create artifacts\/work\/CH-001\/run-1\//);
    const diff = diffSnapshots(before, snapshot(repo.dir));
    assert.deepEqual(diff, { added: [], removed: [], changed: [`audit/changes/${CH}.head`, `audit/changes/${CH}.jsonl`] });
    const added = changeEvents(repo).slice(-1);
    assert.deepEqual(added.map((e) => [e.type, e.payload.name, e.payload.outcome]), [['command', 'implement', 'ok']]);

    const j = await repo.run(['--json', 'implement', CH, '--dry-run'], { env: SCRIPTED });
    assert.equal(j.code, 0, j.stdout);
    const json = JSON.parse(j.stdout) as { dry_run: { tasks: { id: string; files: { path: string; writable: boolean }[] }[]; would_create: string } };
    assert.equal(json.dry_run.would_create, `artifacts/work/${CH}/run-1`);
    assert.deepEqual(json.dry_run.tasks.map((t) => t.id), ['task-1', 'task-2']);
  });

  it('replays byte for byte: two fresh repositories, the same command, identical trees', async () => {
    const trees: Map<string, Buffer>[] = [];
    for (let i = 0; i < 2; i++) {
      const repo = await setup(await recorded());
      const r = await repo.run(['implement', CH, '--seed', '0', '--retain'], { env: SCRIPTED });
      assert.equal(r.code, 0, r.stderr);
      trees.push(snapshot(repo.dir));
    }
    const [a, b] = trees as [Map<string, Buffer>, Map<string, Buffer>];
    assert.ok(a.has(`artifacts/work/${CH}/run-1/.retain`));
    const retained = (a.get(`audit/changes/${CH}.jsonl`)?.toString() ?? '').split('\n').filter((l) => l.includes('"retention.retained"'));
    assert.equal(retained.length, 1, '--retain records retention.retained, as `retention retain` does');
    assert.ok(a.has(`artifacts/work/${CH}/run-1/transcript.jsonl`));
    assert.deepEqual(diffSnapshots(a, b), { added: [], removed: [], changed: [] });
  });

  it('abort restores the tree and spares a file edited since; a concurrent run is refused', async () => {
    const repo = await setup(await recorded());
    await repo.run(['implement', CH], { env: SCRIPTED });
    writeFileSync(repo.path('test/counter.test.js'), '// mine now\n');

    await withRunLock(layoutAt(repo.dir), CH, async () => {
      const refused = await repo.run(['implement', CH], { env: SCRIPTED });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /another `dynaforge implement` of CH-001 is running \(one run per change at a time\)/);
      assert.match(refused.stderr, /fix: wait for it to finish or stop it/);
    });

    const r = await repo.run(['implement', 'abort', CH]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Aborted artifacts\/work\/CH-001\/run-1: 2 file\(s\) restored, 2 deleted$/m);
    assert.match(r.stdout, /^ {2}kept test\/counter\.test\.js: changed after the run wrote it/m);
    assert.equal(repo.read('src/index.js'), 'module.exports = {};\n');
    assert.equal(repo.read(`changes/${CH}/tasks.md`), '# Tasks\n\n- [ ] T-001 Add the counter\n');
    assert.equal(repo.read('test/counter.test.js'), '// mine now\n');
    assert.match(r.stdout, /^ {2}evidence withdrawn: evidence\.json#E-1, evidence\.json#E-2 /m);
    // The tree is as it was; evidence.json, like the audit log, is only appended to: the run's entries stay, withdrawn, and change.yaml no longer lists them.
    assert.deepEqual(repo.git('status', '--porcelain', '--', 'src', 'changes').split('\n').map((l) => l.trim()).filter(Boolean), [`?? changes/${CH}/evidence.json`]);
    const evidence = JSON.parse(repo.read(`changes/${CH}/evidence.json`)) as { entries: { source: { run: number } }[]; withdrawals: { entries: string[] }[] };
    assert.deepEqual(evidence.entries.map((e) => e.source.run), [1, 1]);
    assert.deepEqual(evidence.withdrawals.map((w) => w.entries), [['E-1', 'E-2']]);
    assert.equal(RunSchema.parse(JSON.parse(repo.read(`artifacts/work/${CH}/run-1/run.json`))).status, 'aborted');
    const aborted = changeEvents(repo).filter((e) => e.type === 'implementer.aborted');
    assert.deepEqual(aborted.map((e) => e.payload.withdrawn), [['evidence.json#E-1', 'evidence.json#E-2']]);
    // The reverted files (and the test kept as the person's) are not the run's evidence any more: no scope drift.
    const checked = await repo.run(['--json', 'check']);
    const items = (JSON.parse(checked.stdout) as { findings: { key: string }[] }).findings.map((f) => f.key);
    assert.ok(!items.some((k) => k.startsWith('scope-drift:')), `no scope drift after abort\n${checked.stdout}`);
    await repo.ok('audit', 'verify');
    const again = await repo.run(['implement', 'resume', CH], { env: SCRIPTED });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /was aborted and its files restored: it cannot be resumed/);
  });

  it('Ctrl-C marks the run aborted without restoring; resume finishes it', async () => {
    const repo = await setup(await recorded());
    const child = spawn(process.execPath, [CLI, 'implement', CH], { cwd: repo.dir, env: baseEnv({ ...SCRIPTED, SLOW: '1' }) });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        // Step 4 runs the (slow) verification: interrupt it there.
        if (stdout.includes('[step 4] task-1')) setTimeout(() => child.kill('SIGINT'), 700);
      });
      child.on('close', (c) => done(c));
    });
    assert.equal(code, 130, `${stdout}\n${stderr}`);
    assert.match(stderr, /cancelling; the run is marked aborted and can be resumed/);
    assert.match(stdout, /Run artifacts\/work\/CH-001\/run-1 aborted: 0 of 2 task\(s\) done in 3 of 50 steps/);
    const run = RunSchema.parse(JSON.parse(repo.read(`artifacts/work/${CH}/run-1/run.json`)));
    assert.deepEqual([run.status, run.steps_done], ['aborted', 3]);
    assert.equal(repo.read('src/counter.js'), COUNTER, 'nothing was restored');

    const r = await repo.run(['implement', 'resume', CH], { env: SCRIPTED });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Resuming artifacts\/work\/CH-001\/run-1/m);
    assert.match(r.stdout, /succeeded: 2 of 2 task\(s\) done in 7 of 50 steps/);
    assert.ok(repo.read(`changes/${CH}/CHANGE_SUMMARY.md`).length > 0);
  });

  it('a cassette miss fails the run with the error and a concern; no model configured is a usage error', async () => {
    const repo = await setup('');
    const r = await repo.run(['implement', CH], { env: SCRIPTED });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no recorded response for request [0-9a-f]{64} in cassettes\/implement\.jsonl \(implementer: plan;/);
    const run = RunSchema.parse(JSON.parse(repo.read(`artifacts/work/${CH}/run-1/run.json`)));
    assert.deepEqual([run.status, run.concern], ['failed', `${CH}/C-1`]);
    assert.ok(changeEvents(repo).some((e) => e.type === 'concern.raised' && /stopped: no recorded response/.test(String(e.payload.summary))));

    const none = await repo.run(['implement', CH]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /implement needs a language model, and model\.provider is none/);
    const bad = await repo.run(['implement', CH, '--max-steps', 'many'], { env: SCRIPTED });
    assert.equal(bad.code, 2);
  });
});
