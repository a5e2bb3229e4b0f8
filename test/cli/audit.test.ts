import { strict as assert } from 'node:assert';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { assertUnchanged, cliSuite, PROJECT_STREAM, snapshot, TempRepo } from './cliHarness';

interface VerifyJson {
  ok: boolean;
  streams: { file: string; events: number; problem?: { line: number; kind: string; message: string } }[];
}

const STREAM = 'audit/changes/CH-001.jsonl';
const HALF_LINE = '{"actor":{"id":"Ada Tester <ada@exa';

/** A project with two changes, a concern and a few reads: something worth verifying. */
async function busyRepo(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  await repo.ok('new', 'One', '--risk', 'high');
  await repo.ok('new', 'Two');
  await repo.ok('use', 'CH-001');
  await repo.ok('concern', 'raise', 'No rate limit', '--severity', 'high');
  await repo.ok('concern', 'ack', 'C-1', '--note', 'seen');
  await repo.ok('list');
  await repo.ok('show', 'CH-002');
  await repo.ok('status', '--all');
  return repo;
}

describe('cli: the audit log, through the CLI', () => {
  cliSuite();

  it('after a sequence of commands (some failing), verify passes and each run left exactly one command event', async () => {
    const repo = await busyRepo();
    await repo.ok('concern', 'list');
    await repo.ok('doctor');
    await repo.ok('init');
    for (const args of [['show', 'CH-404'], ['show', 'CH-1x'], ['new', 'Escape', '--scope', '../x'], ['concern', 'ack', 'C-9']]) {
      assert.notEqual((await repo.run(args)).code, 0, args.join(' '));
    }
    const v = await repo.ok('audit', 'verify');
    assert.match(v.stdout, /^ok {3}audit\/changes\/CH-001\.jsonl \(\d+ events\)\n/m);
    assert.match(v.stdout, /Audit log verifies: \d+ events in 3 streams\.\n$/);

    const commands = repo.auditEvents().filter((e) => e.type === 'command');
    const recorded = commands.map((e) => JSON.stringify(e.payload.args)).sort();
    const run = repo.history.map((args) => JSON.stringify(args)).sort();
    assert.equal(commands.length, repo.history.length, 'one command event per invocation');
    assert.deepEqual(recorded, run, 'and each records its own arguments');
    // With DYNAFORGE_NOW the ids are seeded by the arguments and the working copy's invocation
    // count: every run its own correlation id, even a repeated identical command (`init` ran
    // twice here), yet a replay gives the same ids (determinism test). Unfrozen runs get random ids.
    assert.equal(new Set(commands.map((e) => e.correlation_id)).size, commands.length, 'each run its own correlation id');

    // A command line the parser refused never ran, but the attempt is recorded too (exit 2).
    assert.equal((await repo.run(['list', '--bogus'])).code, 2);
    assert.equal((await repo.run(['frobnicate'])).code, 2);
    const refused = repo.auditEvents().filter((e) => e.type === 'command' && e.payload.exit_code === 2).map((e) => [e.payload.name, e.payload.error]);
    assert.deepEqual(refused.slice(-2), [['list', "usage: unknown option '--bogus'"], ['(unknown command)', "usage: unknown command 'frobnicate'"]]);

    // A command about a change goes to that change's stream; the others to the project stream.
    const byArgs = (a: string[]) => commands.find((e) => JSON.stringify(e.payload.args) === JSON.stringify(a));
    assert.equal(byArgs(['show', 'CH-002'])?.file, 'audit/changes/CH-002.jsonl');
    assert.equal(byArgs(['concern', 'raise', 'No rate limit', '--severity', 'high'])?.file, STREAM);
    assert.equal(byArgs(['list'])?.file, PROJECT_STREAM);
    assert.deepEqual(
      { ...byArgs(['show', 'CH-404'])?.payload, args: undefined },
      { name: 'show', args: undefined, cwd: '.', outcome: 'error', exit_code: 1, error: 'unknown-change: there is no change CH-404 (no changes/CH-404/change.yaml)' },
    );
    assert.equal(byArgs(['show', 'CH-1x'])?.payload.exit_code, 2);

    // A `new` leaves its change.created and its command event under one correlation id.
    const created = repo.auditEvents().filter((e) => e.type === 'change.created');
    assert.deepEqual(created.map((e) => e.ch_id), ['CH-001', 'CH-002']);
    for (const c of created) assert.equal(byArgs(['new', ...(c.ch_id === 'CH-001' ? ['One', '--risk', 'high'] : ['Two'])])?.correlation_id, c.correlation_id);
  });

  it('a byte changed in a committed line: verify exits 1 naming the file and the line', async () => {
    const repo = await busyRepo();
    const lines = repo.read(STREAM).split('\n');
    assert.match(lines[1] as string, /"exit_code":0/);
    lines[1] = (lines[1] as string).replace('"exit_code":0', '"exit_code":1');
    writeFileSync(repo.path(STREAM), lines.join('\n'));

    const r = await repo.run(['audit', 'verify']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^BAD {2}audit\/changes\/CH-001\.jsonl:2: line 2 was altered: its content does not match its hash \[hash\]$/m);
    assert.match(r.stdout, /^ok {3}audit\/changes\/CH-002\.jsonl/m);
    assert.match(r.stdout, /Audit log does NOT verify\. .*restore the file from git/);
    const j = JSON.parse((await repo.run(['--json', 'audit', 'verify'])).stdout) as VerifyJson;
    assert.equal(j.ok, false);
    assert.deepEqual(j.streams.filter((s) => s.problem).map((s) => [s.file, s.problem?.line, s.problem?.kind]), [[STREAM, 2, 'hash']]);

    const d = await repo.run(['doctor']);
    assert.equal(d.code, 1);
    assert.match(d.stdout, /FAIL {2}audit: audit\/changes\/CH-001\.jsonl line 2: line 2 was altered/);

    const fix = await repo.run(['audit', 'repair']);
    assert.equal(fix.code, 1, 'tampering is not crash damage: repair refuses it');
    assert.match(fix.stderr, /audit\/changes\/CH-001\.jsonl line 2: .*\n(.*\n)? {2}fix: this is not crash damage, so repair will not touch it/);
  });

  it('a deleted line is reported at its line, too', async () => {
    const repo = await busyRepo();
    const lines = repo.read(STREAM).split('\n');
    writeFileSync(repo.path(STREAM), [...lines.slice(0, 1), ...lines.slice(2)].join('\n'));
    const r = await repo.run(['audit', 'verify']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^BAD {2}audit\/changes\/CH-001\.jsonl:2: line 2 has seq 3, expected 2/m);
  });

  describe('a torn last line (half an event appended, as by a crash)', () => {
    let repo: TempRepo;
    let intact: string;
    before(async () => {
      repo = await busyRepo();
      intact = repo.read(STREAM);
      appendFileSync(repo.path(STREAM), HALF_LINE);
    });

    it('verify reports torn-tail at the line after the last intact one (exit 1)', async () => {
      const n = intact.split('\n').length; // intact ends in \n, so this is the torn line's number
      const r = await repo.run(['audit', 'verify']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`^BAD {2}audit/changes/CH-001\\.jsonl:${n}: line ${n} is torn .*: ${HALF_LINE.length} bytes without a newline \\[torn-tail\\]$`, 'm'));
      assert.match(r.stdout, /Crash damage \(torn line, head behind\) is fixed by `dynaforge audit repair`/);
    });

    it('commands that would write to that stream refuse, pointing at `audit repair`, and write nothing', async () => {
      const before = snapshot(repo.dir);
      for (const args of [['concern', 'raise', 'More', '-c', 'CH-001'], ['concern', 'resolve', 'CH-001/C-1'], ['show', 'CH-001'], ['status']]) {
        const r = await repo.run(args);
        assert.equal(r.code, 1, args.join(' '));
        assert.match(r.stderr, /audit\/changes\/CH-001\.jsonl ends in a torn line \(a write was cut off, e\.g\. by a crash\)\n {2}fix: run `dynaforge audit repair` to move the torn bytes aside/, args.join(' '));
      }
      assertUnchanged(repo, before);
    });

    it('other changes still work', async () => {
      await repo.ok('show', 'CH-002');
      await repo.ok('new', 'Three');
    });

    it('audit repair moves the torn bytes to audit/quarantine/, records it, and verify passes again', async () => {
      const r = await repo.ok('audit', 'repair');
      const q = readdirSync(repo.path('audit/quarantine'));
      assert.equal(q.length, 1);
      assert.match(r.stdout, new RegExp(`^audit/changes/CH-001\\.jsonl: torn line moved to audit/quarantine/${q[0]?.replace(/\./g, '\\.')}\\n`));
      assert.equal(readFileSync(repo.path('audit/quarantine', q[0] as string), 'utf8'), HALF_LINE, 'the torn bytes are kept, not dropped');
      assert.ok(repo.read(STREAM).startsWith(intact), 'the intact events are untouched');
      const repaired = repo.auditEvents().filter((e) => e.type === 'audit.repaired');
      assert.equal(repaired.length, 1);
      assert.equal(repaired[0]?.file, STREAM);
      assert.equal(repaired[0]?.payload.moved_to, `audit/quarantine/${q[0]}`);

      const v = await repo.ok('audit', 'verify');
      assert.match(v.stdout, /Audit log verifies/);
      await repo.ok('concern', 'raise', 'After repair', '-c', 'CH-001');
      assert.match((await repo.ok('audit', 'repair')).stdout, /^Nothing to repair\.\n$/);
    });
  });

  it('a torn project stream: commands recorded there refuse until repaired', async () => {
    const repo = await busyRepo();
    appendFileSync(repo.path(PROJECT_STREAM), HALF_LINE);
    const r = await repo.run(['list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /audit\/project\/main\.ada-example-invalid\.jsonl ends in a torn line .*\n {2}fix: run `dynaforge audit repair`/);
    const j = await repo.run(['--json', 'list']);
    assert.equal(j.code, 1);
    assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'audit-torn');
    await repo.ok('audit', 'repair');
    await repo.ok('list');
    await repo.ok('audit', 'verify');
  });
});
