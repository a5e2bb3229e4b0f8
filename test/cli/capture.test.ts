import { strict as assert } from 'node:assert';
import { createWriteStream, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { parse } from 'yaml';
import { assertOnlyCommandEventAdded, cliSuite, commitAll, git, snapshot, tempDir, TempRepo } from './cliHarness';

interface CaptureJson {
  change: { id: string; title: string; origin: string; scope: { paths: string[]; frs: string[]; tcs: string[] }; links: { related: string[] }; evidence: string[] };
  evidence: { diff_sha256: string; diff_bytes: number; files: { path: string; status: string; old_path?: string; binary: boolean }[] };
  warnings: string[];
}

async function seeded(): Promise<TempRepo> {
  const repo = await TempRepo.create();
  commitAll(repo.dir, 'init');
  return repo;
}

describe('cli: capture, impact, hooks', () => {
  cliSuite();

  it('captures a range into a new change of origin code, with evidence, brief and two audit events', async () => {
    const repo = await seeded();
    repo.git('commit', '-q', '--allow-empty', '-m', 'base');
    const write = (rel: string, s: string) => writeFileSync(repo.path(rel), s);
    write('a.ts', 'a\n');
    commitAll(repo.dir, 'Add a for FR-7');
    repo.git('mv', 'a.ts', 'b.ts');
    commitAll(repo.dir, 'Rename a\n\nTested by TC-2.\n\nChange: CH-050');
    const r = await repo.json<CaptureJson>('capture', '--from', 'HEAD~2..HEAD');
    assert.equal(r.change.id, 'CH-001');
    assert.equal(r.change.origin, 'code');
    assert.equal(r.change.title, 'Capture of 2 commits: Add a for FR-7');
    assert.deepEqual(r.change.scope, { paths: ['b.ts'], frs: ['FR-7'], ws: [], tcs: ['TC-2'] });
    assert.deepEqual(r.change.links.related, ['CH-050']);
    assert.deepEqual(r.change.evidence, ['evidence.json#E-1']);
    assert.match(r.warnings.join('\n'), /claimed by CH-050/);
    assert.match(repo.read('changes/CH-001/brief.md'), /- [0-9a-f]{12} Rename a \(claimed by CH-050\)/);
    const evidence = JSON.parse(repo.read('changes/CH-001/evidence.json')) as { entries: { diff_sha256: string }[] };
    assert.equal(evidence.entries[0]?.diff_sha256, r.evidence.diff_sha256);
    const types = repo.auditEvents().filter((e) => e.file === 'audit/changes/CH-001.jsonl').map((e) => e.type);
    assert.deepEqual(types, ['change.created', 'change.captured', 'command']);
    await repo.ok('audit', 'verify');

    const into = await repo.json<CaptureJson>('capture', '--staged', '--into', 'CH-001', '--from', 'x').catch(() => undefined);
    assert.equal(into, undefined, 'two sources are refused');
    write('c.ts', 'c\n');
    repo.git('add', 'c.ts');
    const attached = await repo.json<CaptureJson>('capture', '--staged', '--into', 'CH-001');
    assert.deepEqual(attached.change.scope.paths, ['b.ts', 'c.ts']);
    assert.deepEqual(attached.change.evidence, ['evidence.json#E-1', 'evidence.json#E-2']);
    assert.ok(repo.auditEvents().some((e) => e.type === 'change.updated' && e.ch_id === 'CH-001'));
  });

  it('refuses option injection and unknown revisions with a clear error, writing nothing but the command event', async () => {
    const repo = await seeded();
    for (const [args, code, msg] of [
      [['capture', '--from=--upload-pack=touch /tmp/x'], 2, /starts with "-" and would be read as an option/],
      [['capture', '--from', 'HEAD..-x'], 2, /not a git revision/],
      [['capture', '--from', 'no-such-branch'], 1, /unknown revision no-such-branch/],
      [['capture'], 2, /none of --from, --staged or --working/],
    ] as const) {
      const before = snapshot(repo.dir);
      const r = await repo.run(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, msg);
      assert.match(r.stderr, /fix: /);
      assertOnlyCommandEventAdded(repo, before, code);
    }
  });

  it('explains a shallow clone and warns on a detached HEAD', async () => {
    const origin = await seeded();
    for (let i = 0; i < 3; i++) origin.git('commit', '-q', '--allow-empty', '-m', `c${i}`);
    const dir = tempDir('clone-');
    git(dir, 'clone', '-q', '--depth', '1', `file://${origin.dir}`, 'c');
    const clone = TempRepo.at(`${dir}/c`);
    const r = await clone.run(['capture', '--from', 'HEAD~2..HEAD']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /shallow clone/);
    assert.match(r.stderr, /git fetch --unshallow/);

    origin.git('checkout', '-q', '--detach');
    writeFileSync(origin.path('d.txt'), 'd\n');
    commitAll(origin.dir, 'on a detached head');
    const d = await origin.run(['capture', '--from', 'HEAD~1']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /warning: HEAD is detached at [0-9a-f]{12}.*git switch -c/);
  });

  it('captures a 20 MB file by streaming the diff', async () => {
    const repo = await seeded();
    const out = createWriteStream(repo.path('big.txt'));
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 200_000; i++) if (!out.write(line)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    commitAll(repo.dir, 'Add a big file');
    const r = await repo.json<CaptureJson>('capture', '--from', 'HEAD~1..HEAD');
    assert.deepEqual(r.evidence.files.map((f) => f.path), ['big.txt']);
    assert.ok(r.evidence.diff_bytes > 20_000_000, String(r.evidence.diff_bytes));
  });

  it('links the open changes touching the same files or requirements (impact conflicts) under links.related', async () => {
    const repo = await seeded();
    mkdirSync(repo.path('src'), { recursive: true });
    writeFileSync(repo.path('src/a.ts'), 'a\n');
    writeFileSync(repo.path('src/b.ts'), 'b\n');
    commitAll(repo.dir, 'base files');
    await repo.ok('new', 'Folder owner', '--scope', 'src');
    await repo.ok('new', 'Same requirement', '--scope', 'docs', '--fr', 'FR-7');
    await repo.ok('new', 'Unrelated', '--scope', 'lib');
    await repo.ok('new', 'Merged already', '--scope', 'src/a.ts');
    writeFileSync(repo.path('changes/CH-004/change.yaml'), repo.read('changes/CH-004/change.yaml').replace('status: open', 'status: merged'));
    commitAll(repo.dir, 'the changes');
    writeFileSync(repo.path('src/a.ts'), 'a2\n');
    commitAll(repo.dir, 'Touch a for FR-7\n\nChange: CH-003');

    const r = await repo.json<CaptureJson>('capture', '--from', 'HEAD~1');
    assert.equal(r.change.id, 'CH-005');
    assert.deepEqual(r.change.links.related, ['CH-001', 'CH-002', 'CH-003'], 'impact conflicts and trailer claims, sorted, once each');
    assert.deepEqual(r.warnings.filter((w) => /^open change/.test(w)), [
      'open change CH-001 (Folder owner) touches file src/a.ts too; linked under links.related',
      'open change CH-002 (Same requirement) touches requirement FR-7 too; linked under links.related',
    ]);
    assert.deepEqual((parse(repo.read('changes/CH-005/change.yaml')) as { links: { related: string[] } }).links.related, ['CH-001', 'CH-002', 'CH-003']);
    const human = await repo.run(['capture', '--from', 'HEAD~1', '--into', 'CH-001']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /warning: open change CH-005 \(Touch a for FR-7\) touches file src\/a\.ts and requirement FR-7 too; linked under links\.related/);
    assert.doesNotMatch(human.stdout, /open change CH-001 /, 'never itself');
    const into = parse(repo.read('changes/CH-001/change.yaml')) as { links: { related: string[] } };
    assert.deepEqual(into.links.related, ['CH-002', 'CH-003', 'CH-005']);
    const created = repo.auditEvents().filter((e) => e.type === 'change.created' && e.ch_id === 'CH-005');
    assert.equal(created[0]?.payload.hash, createHash('sha256').update(repo.read('changes/CH-005/change.yaml')).digest('hex'), 'the event hashes change.yaml with its links');
    await repo.ok('audit', 'verify');
  });

  it('impact writes impact.md with co-changing files, a suggested risk and conflicts with other open changes', async () => {
    const repo = await seeded();
    for (let i = 0; i < 3; i++) {
      mkdirSync(repo.path('src'), { recursive: true });
      writeFileSync(repo.path('src/a.ts'), `${i}\n`);
      writeFileSync(repo.path('src/b.ts'), `${i}\n`);
      commitAll(repo.dir, `edit ${i}`);
    }
    await repo.ok('new', 'First', '--scope', 'src/a.ts', '--fr', 'FR-1');
    await repo.ok('new', 'Second', '--scope', 'src', '--fr', 'FR-2');
    await repo.ok('new', 'Third', '--scope', 'docs', '--fr', 'FR-1');
    const r = await repo.json<{ impact: { co_changes: unknown[]; conflicts: { id: string }[]; risk: { suggested: string } }; file: string; hash: string }>('impact', 'CH-001');
    assert.deepEqual(r.impact.co_changes, [{ path: 'src/b.ts', commits: 3 }]);
    assert.deepEqual(r.impact.conflicts.map((c) => c.id), ['CH-002', 'CH-003']);
    const md = repo.read('changes/CH-001/impact.md');
    assert.match(md, /- CH-002 \(Second\): files `src\/a\.ts`/);
    assert.match(md, /- CH-003 \(Third\): requirements FR-1/);
    const brief = createHash('sha256').update(repo.read('changes/CH-001/brief.md')).digest('hex');
    assert.ok(md.startsWith(`---\ndynaforge:\n  artifact: impact\n  change: CH-001\n  derived_from:\n    brief.md: ${brief}\n---\n# CH-001 impact: First\n`), md);
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(repo.path('changes/CH-001/impact.md'), old, old);
    const again = await repo.json<{ hash: string }>('impact', 'CH-001');
    assert.equal(again.hash, r.hash, 'deterministic');
    assert.equal(repo.read('changes/CH-001/impact.md'), md, 'byte-identical');
    assert.equal(statSync(repo.path('changes/CH-001/impact.md')).mtimeMs, old.getTime(), 'unchanged inputs: not rewritten');
    writeFileSync(repo.path('changes/CH-001/spec.md'), '# Spec\n');
    await repo.ok('impact', 'CH-001');
    assert.match(repo.read('changes/CH-001/impact.md'), /^---\ndynaforge:\n {2}artifact: impact\n {2}change: CH-001\n {2}derived_from:\n {4}brief\.md: [0-9a-f]{64}\n {4}spec\.md: 603c828a03383f98b82bf9c6787deeb5c40c02871a1b8d6ba14b0d538020a02b\n---\n/);
    assert.ok(repo.auditEvents().some((e) => e.type === 'change.impact_written' && e.payload.hash === r.hash));
    assert.equal((parse(repo.read('changes/CH-001/change.yaml')) as { id: string }).id, 'CH-001');
  });

  it('hooks install adds the Change: trailer of the active change to commits, idempotently', async () => {
    const repo = await seeded();
    await repo.ok('new', 'Hooked', '--use');
    const first = await repo.ok('hooks', 'install');
    assert.match(first.stdout, /hook installed: \.git\/hooks\/prepare-commit-msg/);
    assert.match((await repo.ok('hooks', 'install')).stdout, /already installed/);
    commitAll(repo.dir, 'work');
    assert.equal(repo.git('log', '-1', '--format=%(trailers:key=Change,valueonly)'), 'CH-001');
    await repo.ok('hooks', 'uninstall');
    commitAll(repo.dir, 'more work');
    assert.equal(repo.git('log', '-1', '--format=%B'), 'more work');
  });
});
