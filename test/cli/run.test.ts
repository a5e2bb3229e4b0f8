import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cliSuite, commitAll, TempRepo } from './cliHarness';

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

  it('without a change or a request it is a usage error', async () => {
    const repo = await TempRepo.create();
    const r = await repo.run(['run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /which change\?/);
    assert.equal(readFileSync(repo.path('.dynaforge/config.yaml'), 'utf8').length > 0, true);
  });
});
