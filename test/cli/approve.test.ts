import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cliSuite, IDENTITY, snapshot, TempRepo } from './cliHarness';

describe('cli: approve, deny, spec, plan, tasks', () => {
  cliSuite();

  it('walks a change through frame → spec → execute, with gates, staleness and a denial', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'Rate limit', '--use');

    const early = await repo.run(['approve', '--stage', 'execute']);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /no plan\.md or tasks\.md to approve/);

    await repo.ok('approve', '--stage', 'frame', '--note', 'clear enough');
    await repo.ok('spec');
    appendFileSync(repo.path('changes/CH-001/spec.md'), '\n### FR-1: Limit attempts\n### FR-2: Lock out\n');
    await repo.ok('plan');
    const gate = await repo.run(['approve', '--stage', 'execute']);
    assert.equal(gate.code, 1, 'plan exists but spec is not approved');
    assert.equal((await repo.run(['tasks'])).code, 0);
    const refused = await repo.run(['approve', '--stage', 'execute']);
    assert.match(refused.stderr, /gate execute: needs spec approved \(dynaforge approve CH-001 --stage spec\)/);

    const spec = await repo.json<{ approval: { by: string; artifacts: Record<string, string> } }>('approve', '--stage', 'spec');
    assert.equal(spec.approval.by, `${IDENTITY.name} <${IDENTITY.email}>`);
    assert.deepEqual(Object.keys(spec.approval.artifacts), ['spec.md']);
    await repo.ok('approve', '--stage', 'execute');
    assert.match((await repo.ok('status')).stdout, /stage: validate/);

    // Editing the spec makes the spec approval — and only it — stale.
    appendFileSync(repo.path('changes/CH-001/spec.md'), 'More detail.\n');
    const s = (await repo.ok('status')).stdout;
    assert.match(s, /spec: approved by .* — STALE \(spec\.md changed\)/);
    assert.doesNotMatch(s, /frame: approved .* STALE/);
    assert.doesNotMatch(s, /execute: approved .* STALE/);
    assert.match(s, /stage: spec/);

    const deny = await repo.run(['deny', '--stage', 'spec', '--note', 'FR-2 is vague', '--severity', 'high']);
    assert.equal(deny.code, 0, deny.stderr);
    assert.match(deny.stdout, /raised concern CH-001\/C-1/);
    assert.match((await repo.ok('concern', 'list')).stdout, /CH-001\/C-1 +high +open/);
    const events = repo.auditEvents().filter((e) => e.type === 'approval.recorded').map((e) => e.payload.decision);
    assert.deepEqual(events, ['approved', 'approved', 'approved', 'denied']);
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });

  it('tasks keeps ids and states across updates and marks removed tasks dropped', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'T', '--use');
    await repo.ok('spec');
    writeFileSync(repo.path('changes/CH-001/spec.md'), `${readFileSync(repo.path('changes/CH-001/spec.md'), 'utf8')}\n### FR-1: One\n### FR-2: Two\n`);
    await repo.ok('plan');
    const first = await repo.json<{ tasks: { added: number } }>('tasks');
    assert.equal(first.tasks.added, 2);
    const tasksFile = repo.path('changes/CH-001/tasks.md');
    writeFileSync(tasksFile, readFileSync(tasksFile, 'utf8').replace('- [ ] T-001', '- [x] T-001'));
    writeFileSync(repo.path('changes/CH-001/spec.md'), readFileSync(repo.path('changes/CH-001/spec.md'), 'utf8').replace('### FR-2: Two', '### FR-3: Three'));
    const second = await repo.json<{ tasks: { kept: number; added: number; dropped: number } }>('tasks');
    assert.deepEqual(second.tasks, { kept: 1, added: 1, dropped: 1 });
    const text = readFileSync(tasksFile, 'utf8');
    assert.match(text, /^- \[x\] T-001 Implement FR-1: One \(src: spec\)$/m);
    assert.match(text, /^- \[-\] T-002 Implement FR-2: Two \(src: spec\)$/m);
    assert.match(text, /^- \[ \] T-003 Implement FR-3: Three \(src: spec\)$/m);
    const again = await repo.json<{ action: string }>('tasks');
    assert.equal(again.action, 'unchanged');
  });

  it('a malformed task line is reported with its line number and kept', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'T', '--use');
    await repo.ok('spec');
    await repo.ok('plan');
    await repo.ok('tasks');
    appendFileSync(repo.path('changes/CH-001/tasks.md'), '- [?] T-099 broken\n');
    const r = await repo.run(['tasks']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /changes\/CH-001\/tasks\.md:\d+: looks like a task but does not parse/);
    assert.match(readFileSync(repo.path('changes/CH-001/tasks.md'), 'utf8'), /- \[\?\] T-099 broken/);
  });

  it('broken front matter is an error naming file and line, and nothing is written', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'T', '--use');
    await repo.ok('spec');
    writeFileSync(repo.path('changes/CH-001/spec.md'), '---\ndynaforge:\n  artifact: spec\n# no closing line\n');
    const before = snapshot(repo.dir, ['changes']);
    const r = await repo.run(['plan']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /changes\/CH-001\/spec\.md:1:1: the front matter opened on line 1 is never closed/);
    assert.deepEqual(snapshot(repo.dir, ['changes']), before, 'nothing written');
  });

  it('approval is refused without a git identity; a denial needs --note', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'T', '--use');
    const noNote = await repo.run(['deny', '--stage', 'frame']);
    assert.equal(noNote.code, 2);
    repo.git('config', '--unset', 'user.name');
    repo.git('config', '--unset', 'user.email');
    const before = snapshot(repo.dir, ['changes']);
    const r = await repo.run(['approve', '--stage', 'frame']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /records who decided, and git has no identity here/);
    assert.match(r.stderr, /fix: set it: git config user\.name/);
    assert.deepEqual(snapshot(repo.dir, ['changes']), before, 'no approval written');
  });
});
