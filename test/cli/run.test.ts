import { strict as assert } from 'node:assert';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startRun } from '../../src/core/implementer/implement';
import { commandVerifier } from '../../src/core/implementer/verifier';
import { RecordingModel } from '../../src/core/model/recordingModel';
import { Workspace } from '../../src/core/workspace';
import { call, FakeModel, planAnswer, say } from '../unit/implementer/fixture';
import { baseEnv, cliSuite, commitAll, NOW, tempDir, TempRepo } from './cliHarness';

const CASSETTE = 'cassettes/run.jsonl';
const SCRIPTED = { DYNAFORGE_MODEL_PROVIDER: 'scripted', DYNAFORGE_MODEL_CASSETTE: CASSETTE };

/** A change (scope src) framed, specified and planned without a model, every stage approved: next, the Implementer. */
async function readyToImplement(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  writeFileSync(repo.path('.dynaforge/config.yaml'), repo.read('.dynaforge/config.yaml').replace(/^tests: \[\]$/m, 'tests:\n  - name: unit\n    command: node -e "process.exit(0)"'));
  mkdirSync(repo.path('src'));
  writeFileSync(repo.path('src/login.js'), 'module.exports = 1;\n');
  commitAll(repo.dir, 'project');
  await repo.ok('new', 'Rate-limit login', '--scope', 'src');
  await repo.ok('approve', 'CH-001', '--stage', 'frame');
  await repo.ok('run', 'CH-001');
  appendFileSync(repo.path('changes/CH-001/spec.md'), '\n### FR-1: Five tries a minute\n');
  await repo.ok('approve', 'CH-001', '--stage', 'spec');
  await repo.ok('run', 'CH-001');
  await repo.ok('approve', 'CH-001', '--stage', 'execute');
  return repo;
}

/** A copy of the repository, for a second command to run from the same state. */
function twin(repo: TempRepo): TempRepo {
  const dir = tempDir('twin-');
  cpSync(repo.dir, dir, { recursive: true });
  return TempRepo.at(dir);
}

/** Records the Implementer's answers in a twin (the engine in-process, the fake model in record mode) into the repository's cassette. */
async function recordImplementer(repo: TempRepo): Promise<void> {
  const copy = twin(repo);
  const ws = await Workspace.open({ cwd: copy.dir, env: { DYNAFORGE_NOW: NOW } });
  const model = new RecordingModel(
    new FakeModel([
      planAnswer([{ id: 'T-001', title: 'Limit the tries', files: ['src/limit.js'], verify: ['unit'] }]),
      call(['write_file', { path: 'src/limit.js', content: 'module.exports = 5;\n' }]),
      say('Added the limit.'),
    ]),
    { file: repo.path(CASSETTE), display: CASSETTE },
    'all',
  );
  const r = await startRun({ ws, model, verifier: commandVerifier(copy.dir, baseEnv()), correlationId: 'cor-record' }, { chId: 'CH-001' });
  assert.equal(r.run.status, 'succeeded', `the recording run must succeed: ${r.why ?? ''}`);
}

describe('cli: run (the agent loop)', () => {
  cliSuite();

  it('template mode: frames a request, waits at each approval, hands tasks to the human, validates with the declared tests', async () => {
    const repo = await TempRepo.create();
    writeFileSync(repo.path('.dynaforge/config.yaml'), repo.read('.dynaforge/config.yaml').replace(/^tests: \[\]$/m, 'tests:\n  - name: unit\n    command: node -e "process.exit(0)"'));
    mkdirSync(repo.path('src'));
    writeFileSync(repo.path('src/login.ts'), 'export const login = 1;\n');
    commitAll(repo.dir, 'project');

    const first = await repo.run(['run', '--request', 'Rate-limit the login endpoint']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /pm created changes\/CH-001\/brief\.md/);
    assert.match(first.stdout, /⏸ CH-001 waits at frame: .*\n {2}a human approver \(git identity\): dynaforge approve CH-001 --stage frame/);
    assert.match(repo.read('changes/CH-001/brief.md'), /## Request\nRate-limit the login endpoint\n$/);

    await repo.ok('approve', 'CH-001', '--stage', 'frame');
    const spec = await repo.ok('run', 'CH-001');
    assert.match(spec.stdout, /→ pm hands CH-001 to the designer \(spec\)\n {2}designer created changes\/CH-001\/spec\.md\n⏸ CH-001 waits at spec/);
    appendFileSync(repo.path('changes/CH-001/spec.md'), '\n### FR-1: Five tries a minute\n');
    await repo.ok('approve', 'CH-001', '--stage', 'spec');
    await repo.ok('run', 'CH-001');
    assert.match(repo.read('changes/CH-001/tasks.md'), /- \[ \] T-001 Implement FR-1: Five tries a minute/);
    await repo.ok('approve', 'CH-001', '--stage', 'execute');

    const blocked = await repo.run(['run', 'CH-001']);
    assert.equal(blocked.code, 1, 'no model: the tasks wait for a person');
    assert.match(blocked.stdout, /✗ CH-001 is blocked at execute: 1 task\(s\) are for a person to do/);

    await repo.ok('task', 'start', 'T-001', '--change', 'CH-001');
    appendFileSync(repo.path('src/login.ts'), 'export const limit = 5;\n');
    await repo.ok('task', 'done', 'T-001', '--change', 'CH-001');
    const validated = await repo.run(['--json', 'run', 'CH-001']);
    assert.equal(validated.code, 0, validated.stderr);
    const out = JSON.parse(validated.stdout) as { state: string; events: { kind: string; stage?: string; from?: string; to?: string }[] };
    assert.equal(out.state, 'waiting');
    assert.deepEqual(out.events.filter((e) => e.kind === 'handoff').map((e) => `${e.from}→${e.to}`), ['implementer→tester']);
    assert.equal(out.events.at(-1)?.stage, 'validate');
    assert.match(repo.read('changes/CH-001/change.yaml'), /verdict: (PASS|CONCERNS)/);

    const handoffs = repo.auditEvents().filter((e) => e.type === 'agent.handoff').map((e) => `${String(e.payload.from)}→${String(e.payload.to)}`);
    assert.deepEqual(handoffs, ['pm→designer', 'pm→designer', 'pm→implementer', 'implementer→tester']);
    assert.ok(repo.auditEvents().filter((e) => e.type === 'agent.handoff').every((e) => e.actor.kind === 'agent'));
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });

  it('with a model, the Implementer tells its run exactly as `implement` does; --json stays one JSON document', async () => {
    const repo = await readyToImplement();
    await recordImplementer(repo);
    const alone = twin(repo);
    const asJson = twin(repo);

    const implemented = await alone.run(['implement', 'CH-001'], { env: SCRIPTED });
    assert.equal(implemented.code, 0, `${implemented.stdout}\n${implemented.stderr}`);
    const r = await repo.run(['run', 'CH-001'], { env: SCRIPTED });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /→ pm hands CH-001 to the implementer \(execute\)\n/);
    assert.ok(r.stdout.includes(implemented.stdout), `run tells the Implementer's run as implement does:\n--- implement\n${implemented.stdout}\n--- run\n${r.stdout}`);
    for (const line of [/^\[step 2\] task-1$/m, /^ {2}write_file: created src\/limit\.js$/m, /^ {2}verification unit: passed$/m, /^ {2}task-1 done: changed src\/limit\.js$/m, /^Run artifacts\/work\/CH-001\/run-1 succeeded: 1 of 1 task\(s\) done in 3 of 50 steps$/m, /^ {2}wrote changes\/CH-001\/CHANGE_SUMMARY\.md$/m]) {
      assert.match(r.stdout, line);
    }
    assert.match(r.stdout, /→ implementer hands CH-001 to the tester \(validate\)/);

    const j = await asJson.run(['--json', 'run', 'CH-001'], { env: SCRIPTED });
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as { state: string; events: { kind: string; role?: string; message?: string }[] };
    assert.deepEqual(out.events.filter((e) => e.kind === 'step' && e.role === 'implementer').map((e) => e.message), ['task-1 running', 'task-1 done: src/limit.js']);
  });

  it('without a change or a request it is a usage error', async () => {
    const repo = await TempRepo.create();
    const r = await repo.run(['run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /which change\?/);
    assert.equal(readFileSync(repo.path('.dynaforge/config.yaml'), 'utf8').length > 0, true);
  });
});
