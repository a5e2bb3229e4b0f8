import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { cliSuite, TempRepo } from './cliHarness';

describe('cli: promote', function () {
  this.timeout(120_000);
  cliSuite();

  it('promotion re-runs Validate and Package: their approvals go stale and the verdict is cleared', async () => {
    const repo = await TempRepo.create();
    const config = repo.path('.dynaforge/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^tests: \[\]$/m, `tests:\n  - name: unit\n    command: '"${process.execPath}" -e "process.exit(0)"'`));
    await repo.ok('new', 'Login', '--use', '--maturity', 'M1');
    await repo.ok('approve', '--stage', 'frame');
    await repo.ok('validate');
    await repo.ok('approve', '--stage', 'package');
    assert.match((await repo.ok('status')).stdout, /Approved/);

    const low = await repo.run(['promote', '--to', 'M0']);
    assert.equal(low.code, 2, 'demotion is not a promotion');
    assert.match(low.stderr, /M0 is not a promotion/);

    const r = await repo.json<{ from: string; to: string; rerun: string[]; cleared_verdict: string }>('promote', '--to', 'M2');
    assert.deepEqual([r.from, r.to, r.rerun, r.cleared_verdict], ['M1', 'M2', ['package'], 'PASS']);
    const yaml = repo.read('changes/CH-001/change.yaml');
    assert.match(yaml, /^maturity_level: M2$/m);
    assert.doesNotMatch(yaml, /qa_verdict/);
    const status = (await repo.ok('status')).stdout;
    assert.match(status, /package approval by .* is stale \(maturity_level \(M1 → M2\) changed since\)/);
    assert.doesNotMatch(status, /lifecycle: Approved|Approved\b.*package/);
    const refused = await repo.run(['approve', '--stage', 'package']);
    assert.equal(refused.code, 1, 'the package gate needs a verdict for the new level');
    assert.match(refused.stderr, /needs a Validate verdict of PASS or WAIVED/);
    await repo.ok('validate');
    await repo.ok('approve', '--stage', 'package');
    assert.equal(repo.auditEvents().filter((e) => e.type === 'change.updated' && (e.payload.fields as string[]).includes('maturity_level')).length, 1);
    assert.equal((await repo.run(['audit', 'verify'])).code, 0);
  });
});
