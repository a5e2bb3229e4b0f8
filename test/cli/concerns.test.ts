import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { assertOnlyCommandEventAdded, cliSuite, snapshot, TempRepo } from './cliHarness';

interface ConcernJson {
  id: string;
  ch_id: string;
  severity: string;
  status: string;
  summary: string;
  source: string;
  evidence: string[];
  assignee?: string;
  notes: string[];
  raised_by: string;
}
interface StatusJson {
  blockers: string[];
  open_concerns: ConcernJson[];
}

const list = async (repo: TempRepo, ...args: string[]) => (await repo.json<{ concerns: ConcernJson[] }>('concern', 'list', ...args)).concerns;
const brief = (cs: ConcernJson[]) => cs.map((c) => `${c.ch_id}/${c.id} ${c.severity} ${c.status}${c.assignee ? ` →${c.assignee}` : ''}`);

describe('cli: concerns', () => {
  cliSuite();

  it('raise, ack, assign, resolve and list round-trip; the state is folded from appended events', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two', '--use');

    const c1 = (await repo.json<{ concern: ConcernJson }>('concern', 'raise', 'Login', 'has', 'no', 'rate', 'limit', '--severity', 'high', '--source', 'review', '--evidence', 'src/login.ts', 'docs/a.md')).concern;
    assert.deepEqual(
      { ...c1, raised_by: undefined },
      { id: 'C-1', ch_id: 'CH-002', severity: 'high', status: 'open', summary: 'Login has no rate limit', source: 'review', evidence: ['src/login.ts', 'docs/a.md'], raised_by: undefined, raised_at: '2026-11-21T09:00:00.000Z', updated_at: '2026-11-21T09:00:00.000Z', notes: [] },
    );
    assert.equal(c1.raised_by, 'Ada Tester <ada@example.invalid>');
    const r2 = await repo.ok('concern', 'raise', 'Typo in docs', '--severity', 'low');
    assert.equal(r2.stdout, 'Raised CH-002/C-2 [low, open] Typo in docs\n');
    assert.match((await repo.ok('concern', 'raise', 'Other change', '-c', 'CH-001')).stdout, /^Raised CH-001\/C-1 \[medium, open\]/, 'ids count per change');
    await repo.ok('concern', 'raise', 'Third', '--severity', 'critical');

    const stream = repo.read('audit/changes/CH-002.jsonl');
    assert.match((await repo.ok('concern', 'ack', 'C-1', '--note', 'looking at it')).stdout, /^Acknowledged CH-002\/C-1 \[high, acknowledged\]/);
    assert.match((await repo.ok('concern', 'assign', 'CH-002/C-2', '--to', 'bob')).stdout, /^Assigned CH-002\/C-2 \[low, open\] Typo in docs \(→ bob\)/);
    assert.match((await repo.ok('concern', 'resolve', 'ch-002/c-3', '--note', 'fixed in abc123')).stdout, /^Resolved CH-002\/C-3 \[critical, resolved\]/);
    assert.ok(repo.read('audit/changes/CH-002.jsonl').startsWith(stream), 'the stream was appended to, never rewritten');

    assert.deepEqual(brief(await list(repo)), ['CH-001/C-1 medium open', 'CH-002/C-1 high acknowledged', 'CH-002/C-2 low open →bob'], 'unresolved, of every change');
    assert.deepEqual(brief(await list(repo, 'CH-002', '--status', 'all')), ['CH-002/C-1 high acknowledged', 'CH-002/C-2 low open →bob', 'CH-002/C-3 critical resolved']);
    assert.deepEqual(brief(await list(repo, '--status', 'resolved')), ['CH-002/C-3 critical resolved']);
    assert.deepEqual(brief(await list(repo, '--status', 'open')), ['CH-001/C-1 medium open', 'CH-002/C-2 low open →bob']);
    const acked = (await list(repo, 'CH-002')).find((c) => c.id === 'C-1');
    assert.deepEqual(acked?.notes, ['2026-11-21T09:00:00.000Z Ada Tester <ada@example.invalid>: looking at it']);

    const table = (await repo.ok('concern', 'list', 'CH-002', '--status', 'all')).stdout;
    assert.match(table, /^CONCERN +SEVERITY +STATUS +ASSIGNEE +SUMMARY\nCH-002\/C-1 +high +acknowledged +Login has no rate limit\n/);

    const types = repo.auditEvents().filter((e) => e.file === 'audit/changes/CH-002.jsonl' && e.type.startsWith('concern.')).map((e) => `${e.type} ${String(e.payload.concern_id)}`);
    assert.deepEqual(types, ['concern.raised C-1', 'concern.raised C-2', 'concern.raised C-3', 'concern.acknowledged C-1', 'concern.assigned C-2', 'concern.resolved C-3']);
    await repo.ok('audit', 'verify');
  });

  it('a high open concern is a blocker in status until it is resolved; acknowledging does not clear it', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One', '--use');
    await repo.ok('concern', 'raise', 'Minor', '--severity', 'medium');
    assert.deepEqual((await repo.json<StatusJson>('status')).blockers, [], 'a medium concern does not block');

    await repo.ok('concern', 'raise', 'Secrets in logs', '--severity', 'high');
    const s = await repo.ok('status');
    assert.match(s.stdout, /\n {2}blockers:\n {4}- 1 open concern of severity high or above \(C-2\) block a PASS: resolve them\n/);
    assert.match(s.stdout, /\n {2}open concerns:\n {4}CH-001\/C-1 \[medium, open\] Minor\n {4}CH-001\/C-2 \[high, open\] Secrets in logs/);
    assert.match((await repo.ok('show', 'CH-001')).stdout, /block a PASS/);

    await repo.ok('concern', 'ack', 'C-2');
    assert.equal((await repo.json<StatusJson>('status')).blockers.length, 1, 'acknowledged is still unresolved');
    await repo.ok('concern', 'raise', 'Worse', '--severity', 'critical');
    assert.match((await repo.json<StatusJson>('status')).blockers[0] as string, /^2 open concerns of severity high or above \(C-2, C-3\)/);

    await repo.ok('concern', 'resolve', 'C-2');
    await repo.ok('concern', 'resolve', 'C-3');
    const after = await repo.json<StatusJson>('status');
    assert.deepEqual(after.blockers, []);
    assert.deepEqual(after.open_concerns.map((c) => c.id), ['C-1']);
    assert.match((await repo.ok('show')).stdout, /resolved concerns: C-2, C-3/);
  });

  it('a resolved concern stays resolved when acknowledged late', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One', '--use');
    await repo.ok('concern', 'raise', 'X', '--severity', 'high');
    await repo.ok('concern', 'resolve', 'C-1');
    await repo.ok('concern', 'ack', 'C-1');
    assert.deepEqual(brief(await list(repo, '--status', 'all')), ['CH-001/C-1 high resolved']);
  });

  it('concern list still shows the concerns of a change whose change.yaml is broken, and reports it (exit 1)', async () => {
    const repo = await TempRepo.create();
    await repo.ok('new', 'One');
    await repo.ok('new', 'Two');
    await repo.ok('concern', 'raise', 'On one', '-c', 'CH-001');
    await repo.ok('concern', 'raise', 'On two', '-c', 'CH-002', '--severity', 'critical');
    writeFileSync(repo.path('changes/CH-002/change.yaml'), 'id: [\n');
    const r = await repo.run(['concern', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /CH-001\/C-1 .* On one\n/);
    assert.match(r.stdout, /CH-002\/C-1 +critical +open +On two/);
    assert.match(r.stderr, /^dynaforge: error: changes\/CH-002\/change\.yaml:\d+:\d+: malformed YAML: /);
    const j = JSON.parse((await repo.run(['--json', 'concern', 'list'])).stdout) as { concerns: ConcernJson[]; problems: { file: string }[] };
    assert.deepEqual(brief(j.concerns), ['CH-001/C-1 medium open', 'CH-002/C-1 critical open']);
    assert.deepEqual(j.problems.map((p) => p.file), ['changes/CH-002/change.yaml']);
  });

  describe('refusals', () => {
    let repo: TempRepo;
    before(async () => {
      repo = await TempRepo.create();
      await repo.ok('new', 'One');
    });

    for (const [args, code, message, stream] of [
      [['concern', 'ack', 'CH-001/C-9'], 1, /CH-001 has no concern C-9\n {2}at field concern\n {2}fix: see `dynaforge concern list CH-001`/, 'audit/changes/CH-001.jsonl'],
      [['concern', 'raise', 'X', '-c', 'CH-404'], 1, /there is no change CH-404/, undefined],
      [['concern', 'raise', 'X'], 2, /which change\? none was given and none is active/, undefined],
      [['concern', 'ack', 'C-1'], 2, /which change does C-1 belong to\?\n {2}at field concern\n {2}fix: write it as CH-012\/C-1/, undefined],
      [['concern', 'raise', ' ', '-c', 'CH-001'], 2, /a concern needs a summary\n {2}at field summary/, 'audit/changes/CH-001.jsonl'],
    ] as const) {
      it(`\`${args.join(' ')}\` fails (exit ${code}) saying why, and records only the failed command`, async () => {
        const before = snapshot(repo.dir);
        const r = await repo.run([...args]);
        assert.equal(r.code, code);
        assert.match(r.stderr, message);
        assertOnlyCommandEventAdded(repo, before, code, stream);
      });
    }

    it('an invalid --severity is a usage error (exit 2)', async () => {
      const r = await repo.run(['concern', 'raise', 'X', '-c', 'CH-001', '--severity', 'urgent']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Allowed choices are low, medium, high, critical/);
    });
  });
});
