import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliSuite, commitAll, git, IDENTITY, tempDir, TempRepo } from './cliHarness';

const created = (stdout: string) => /^Created (CH-\d+):/.exec(stdout)?.[1];

describe('cli: change ids across branches', () => {
  cliSuite();

  it('a change committed on another local branch is not minted again', async () => {
    const repo = await TempRepo.create();
    commitAll(repo.dir, 'dynaforge init');
    repo.git('checkout', '-q', '-b', 'A');
    assert.equal(created((await repo.ok('new', 'On A')).stdout), 'CH-001');
    commitAll(repo.dir, 'CH-001 on A');

    repo.git('checkout', '-q', '-b', 'B', 'main'); // from the commit before CH-001
    assert.deepEqual(repo.changeIds(), [], 'B does not have CH-001');
    assert.equal(created((await repo.ok('new', 'On B')).stdout), 'CH-002', 'CH-001 is taken on branch A');
    assert.equal(created((await repo.ok('new', 'On B too')).stdout), 'CH-003');
    assert.deepEqual(repo.changeIds(), ['CH-002', 'CH-003']);
    commitAll(repo.dir, 'two changes on B');

    // Both branches merge without two changes sharing an id.
    repo.git('merge', '-q', '--no-edit', 'A');
    assert.deepEqual(repo.changeIds(), ['CH-001', 'CH-002', 'CH-003']);
    await repo.ok('list');
    await repo.ok('audit', 'verify');
  });

  it('the check is what prevents the collision: with ids.check_branches false, B mints CH-001 too', async () => {
    const repo = await TempRepo.create();
    commitAll(repo.dir, 'dynaforge init');
    repo.git('checkout', '-q', '-b', 'A');
    await repo.ok('new', 'On A');
    commitAll(repo.dir, 'CH-001 on A');
    repo.git('checkout', '-q', '-b', 'B', 'main');
    writeFileSync(repo.path('.dynaforge/config.yaml'), repo.read('.dynaforge/config.yaml').replace('check_branches: true', 'check_branches: false'));
    assert.equal(created((await repo.ok('new', 'On B')).stdout), 'CH-001');
  });

  it('a change on a remote-tracking branch (after fetch) is not minted again', async () => {
    const origin = await TempRepo.create();
    commitAll(origin.dir, 'dynaforge init');

    const cloneDir = join(tempDir('clone-'), 'work');
    git(origin.dir, 'clone', '-q', origin.dir, cloneDir);
    git(cloneDir, 'config', 'user.name', 'Bea Clone');
    git(cloneDir, 'config', 'user.email', 'bea@example.invalid');
    const clone = TempRepo.at(cloneDir);

    origin.git('checkout', '-q', '-b', 'feature');
    assert.equal(created((await origin.ok('new', 'Made upstream')).stdout), 'CH-001');
    commitAll(origin.dir, 'CH-001 upstream');
    origin.git('checkout', '-q', 'main');

    clone.git('fetch', '-q', 'origin');
    assert.match(clone.git('branch', '-r'), /origin\/feature/);
    assert.equal(clone.git('branch', '--list', 'feature'), '', 'no local branch has it: only origin/feature');
    assert.equal(created((await clone.ok('new', 'Made in the clone')).stdout), 'CH-002');
    assert.deepEqual(clone.changeIds(), ['CH-002']);
    const actor = (clone.auditEvents().find((e) => e.type === 'change.created') as unknown as { actor: { id: string } }).actor.id;
    assert.equal(actor, 'Bea Clone <bea@example.invalid>');
    assert.notEqual(actor, `${IDENTITY.name} <${IDENTITY.email}>`);
  });

  it('without git, ids are allocated from the folders alone', async () => {
    const repo = await TempRepo.create({ git: false });
    for (const t of ['a', 'b']) await repo.ok('new', t);
    assert.deepEqual(repo.changeIds(), ['CH-001', 'CH-002']);
  });
});
