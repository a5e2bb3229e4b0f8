import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { parse } from 'yaml';
import { assertOnlyCommandEventAdded, assertUnchanged, cliSuite, makeWritable, snapshot, TempRepo } from './cliHarness';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface ShowJson {
  change: { id: string; title: string; scope: { paths: string[] } };
}

describe('cli: bad arguments get a clear error and leave nothing half-written', () => {
  cliSuite();

  describe('change ids', () => {
    let repo: TempRepo;
    before(async () => {
      repo = await TempRepo.create();
      await repo.ok('new', 'One');
    });

    it('an unknown id (CH-404) names the missing file and lists the known changes (exit 1)', async () => {
      const before = snapshot(repo.dir);
      const r = await repo.run(['show', 'CH-404']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'dynaforge: error: there is no change CH-404 (no changes/CH-404/change.yaml)\n  fix: known changes: CH-001 — see `dynaforge list`\n');
      assertOnlyCommandEventAdded(repo, before, 1);
      assert.ok(!existsSync(repo.path('changes/CH-404')));
    });

    for (const cmd of [['show'], ['status'], ['use'], ['concern', 'list']]) {
      it(`a malformed id is a usage error (exit 2) for \`${cmd.join(' ')}\``, async () => {
        const before = snapshot(repo.dir);
        const r = await repo.run([...cmd, 'CH-1x']);
        assert.equal(r.code, 2);
        assert.equal(r.stderr, 'dynaforge: error: "CH-1x" is not a change id\n  at field change id\n  fix: a change id is CH- followed by digits, e.g. CH-012 (or just 12)\n');
        assertOnlyCommandEventAdded(repo, before, 2);
      });
    }

    it('a malformed concern reference is a usage error (exit 2)', async () => {
      const r = await repo.run(['concern', 'ack', 'CH-001/X-1']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /"CH-001\/X-1" is not a concern reference\n {2}at field concern\n {2}fix: use CH-012\/C-3/);
    });
  });

  describe('--scope paths that escape the repository', () => {
    let repo: TempRepo;
    before(async () => {
      repo = await TempRepo.create();
      mkdirSync(repo.path('src'));
      symlinkSync('/etc', repo.path('src/outside'));
      symlinkSync('..', repo.path('src/up'));
    });

    for (const [scope, why] of [
      ['../x', 'escapes the repository'],
      ['src/../../x', 'escapes the repository'],
      ['/etc', 'is absolute'],
      ['src/outside', 'resolves through a symlink to /etc, outside the repository'],
      ['src/outside/passwd', 'resolves through a symlink to /etc/passwd, outside the repository'],
      ['src/outside/**/*.conf', 'resolves through a symlink to /etc, outside the repository'],
    ] as const) {
      it(`refuses --scope ${scope}: field named, exit 1, no change folder`, async () => {
        const before = snapshot(repo.dir);
        const r = await repo.run(['new', 'Escape', '--scope', 'src/ok', scope]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`^dynaforge: error: scope path "${esc(scope)}" ${esc(why)}\\n {2}at field scope\\.paths\\[1\\]\\n {2}fix: `));
        assertOnlyCommandEventAdded(repo, before, 1);
        assert.deepEqual(repo.changeIds(), []);
        assert.deepEqual(readdirSync(repo.path('changes')), ['.gitkeep']);
      });
    }

    it('accepts a symlink that stays inside the repository, and normalises the paths', async () => {
      const r = await repo.json<ShowJson>('new', 'Inside', '--scope', 'src/up/docs', './src//lib/', 'src/lib');
      assert.deepEqual(r.change.scope.paths, ['src/up/docs', 'src/lib']);
    });
  });

  describe('titles', () => {
    const titles = [
      '; rm -rf / $(touch pwned) `touch pwned2` && echo $HOME | cat > x',
      'He said "ship it" and she said \'not yet\' — `quotes` \\ backslash',
      'Ünïcødé 中文 日本語 한국어 עברית العربية Ελληνικά 🚀👩🏽‍💻 𝔘𝔫𝔦',
      '* ? [a-z] {a,b} ~ # % <> | ! glob and redirection characters',
    ];
    let repo: TempRepo;
    before(async () => {
      repo = await TempRepo.create();
    });

    titles.forEach((title, i) => {
      it(`stores "${title.slice(0, 24)}…" verbatim and round-trips it through show --json`, async () => {
        const created = await repo.json<ShowJson>('new', title);
        const id = `CH-00${i + 1}`;
        assert.equal(created.change.id, id);
        assert.equal(created.change.title, title);
        assert.equal((await repo.json<ShowJson>('show', id)).change.title, title);
        assert.equal((parse(repo.read(`changes/${id}/change.yaml`)) as { title: string }).title, title);
        assert.match((await repo.ok('show', id)).stdout, new RegExp(`^${id}: ${esc(title)}\\n`));
        const event = repo.auditEvents().find((e) => e.type === 'change.created' && e.ch_id === id);
        assert.equal(event?.payload.title, title);
        assert.ok(!existsSync(repo.path('pwned')) && !existsSync(repo.path('pwned2')) && !existsSync(repo.path('x')), 'nothing was run by a shell');
      });
    });

    it('takes a title starting with a dash after --', async () => {
      const r = await repo.json<ShowJson>('new', '--', '-rf --risk high');
      assert.equal(r.change.title, '-rf --risk high');
    });

    it('stores a decomposed (NFD) title in its canonically equivalent NFC form', async () => {
      const r = await repo.json<ShowJson>('new', 'Cafe\u0301 re\u0301sume\u0301');
      assert.equal(r.change.title, 'Café résumé');
      assert.equal(r.change.title, 'Cafe\u0301 re\u0301sume\u0301'.normalize('NFC'));
    });

    it('joins unquoted words with one space and trims the ends', async () => {
      const r = await repo.json<ShowJson>('new', '  several', 'words  ');
      assert.equal(r.change.title, 'several words');
    });

    for (const [what, title, message] of [
      ['an empty title', '', 'the title is empty'],
      ['a blank title', '   ', 'the title is empty'],
      ['a title with a newline', 'first line\nsecond line', 'the title contains a line break at character 11'],
      ['a title with a CR', 'first\rsecond', 'the title contains a line break at character 6'],
      ['a title with a tab', 'a\tb', 'the title contains a control character (U+0009) at character 2'],
      ['a title with an escape sequence', 'red \u001b[31m', 'the title contains a control character (U+001B) at character 5'],
      ['a title of 201 characters', 'x'.repeat(201), 'the title is 201 characters long (at most 200)'],
    ] as const) {
      it(`refuses ${what}: field title, exit 1, nothing created`, async () => {
        const before = snapshot(repo.dir);
        const idsBefore = repo.changeIds();
        const r = await repo.run(['new', title]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`^dynaforge: error: ${esc(message)}\\n {2}at field title\\n {2}fix: `));
        assertOnlyCommandEventAdded(repo, before, 1);
        assert.deepEqual(repo.changeIds(), idsBefore);
      });
    }
  });

  describe('command lines the parser rejects', () => {
    for (const [args, message] of [
      [['frobnicate'], /^dynaforge: error: unknown command 'frobnicate'\n/],
      [['lst'], /unknown command 'lst'\n\(Did you mean list\?\)/],
      [['new'], /^dynaforge: error: missing required argument 'title'\n/],
      [['list', '--bogus'], /^dynaforge: error: unknown option '--bogus'\n/],
    ] as const) {
      it(`\`${args.join(' ')}\` is a usage error (exit 2)`, async () => {
        const repo = await TempRepo.create();
        const r = await repo.run([...args]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '');
      });
    }
  });

  describe('no command', () => {
    it('`dynaforge` alone prints the usage on stderr and exits 1; `--help` and `help` print it on stdout and exit 0', async () => {
      const repo = await TempRepo.create();
      const bare = await repo.run([]);
      assert.equal(bare.code, 1);
      assert.match(bare.stderr, /^Usage: dynaforge \[options\] \[command\]/);
      assert.equal(bare.stdout, '');
      const group = await repo.run(['concern']);
      assert.equal(group.code, 1, 'a command group without its subcommand is the same');
      assert.match(group.stderr, /^Usage: dynaforge concern/);
      for (const args of [['--help'], ['help']]) {
        const r = await repo.run(args);
        assert.equal(r.code, 0, args.join(' '));
        assert.match(r.stdout, /^Usage: dynaforge \[options\] \[command\]/);
      }
    });
  });

  describe('a folder that is not a git repository', () => {
    it('init and new work, and init says which features need git', async () => {
      const repo = await TempRepo.create({ git: false, init: false });
      const r = await repo.ok('init');
      assert.match(r.stdout, /note: not a git repository\. Everything works; these need git: id checks across branches, approver identity, capture and drift\. Run `git init` to get them\./);
      assert.equal((JSON.parse((await repo.ok('--json', 'init')).stdout) as { git: boolean }).git, false);
      const n = await repo.ok('new', 'Without git', '--use');
      assert.match(n.stdout, /^Created CH-001: Without git/);
      assert.match((await repo.ok('status')).stdout, /^CH-001: Without git/);
      assert.equal((await repo.ok('audit', 'verify')).code, 0);
      const actor = (repo.auditEvents()[0] as unknown as { actor: { id: string } }).actor.id;
      assert.match(actor, /\(no git identity\)$/, 'the actor says it has no git identity');
      const d = await repo.run(['doctor']);
      assert.match(d.stdout, /WARN {2}git-repo: .* is not a git repository\n {6}→ Dynaforge works without git, but id checks across branches/);
    });
  });

  describe('a read-only audit folder', () => {
    let repo: TempRepo;
    beforeEach(async () => {
      repo = await TempRepo.create();
      await repo.ok('new', 'One');
    });
    afterEach(() => makeWritable(repo.path('audit')));

    it('new fails naming audit and the fix; no change folder, no audit file changed', async () => {
      chmodSync(repo.path('audit'), 0o555);
      const before = snapshot(repo.dir);
      const r = await repo.run(['new', 'Two']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'dynaforge: error: the audit log is read-only: audit is not writable\n  fix: make it writable (`chmod -R u+w audit`) and retry; nothing was changed\n');
      assertUnchanged(repo, before);
      assert.deepEqual(repo.changeIds(), ['CH-001']);
    });

    it('a read-only audit/changes/: new fails and leaves no change folder without its change.created event', async () => {
      chmodSync(repo.path('audit/changes'), 0o555);
      const before = snapshot(repo.dir);
      const r = await repo.run(['new', 'Two']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'dynaforge: error: the audit log is read-only: audit/changes is not writable\n  fix: make it writable (`chmod -R u+w audit`) and retry; nothing was changed\n');
      assertOnlyCommandEventAdded(repo, before, 1);
      assert.deepEqual(repo.changeIds(), ['CH-001']);
      makeWritable(repo.path('audit'));
      assert.match((await repo.ok('new', 'Two')).stdout, /^Created CH-002: Two/, 'and the id was not used up');
    });

    it('chmod -R a-w audit/: every writing command refuses and changes nothing', async () => {
      execFileSync('chmod', ['-R', 'a-w', repo.path('audit')]);
      const before = snapshot(repo.dir);
      for (const args of [['new', 'Two'], ['concern', 'raise', '-c', 'CH-001', 'x'], ['use', 'CH-001'], ['list'], ['audit', 'repair']]) {
        const r = await repo.run(args);
        assert.equal(r.code, 1, args.join(' '));
        assert.match(r.stderr, /the audit log is read-only: .* is not writable\n {2}fix: make it writable \(`chmod -R u\+w audit`\)/, args.join(' '));
      }
      assertUnchanged(repo, before);
      const v = await repo.run(['audit', 'verify']);
      assert.equal(v.code, 0, 'verifying a read-only audit log still works');
      assert.match(v.stderr, /warning: this command could not be recorded in the audit log \(the audit log is read-only/);
      assertUnchanged(repo, before);
    });

    it('one read-only stream file: raising a concern on that change is refused, naming the file', async () => {
      chmodSync(repo.path('audit/changes/CH-001.jsonl'), 0o444);
      const before = snapshot(repo.dir);
      const r = await repo.run(['concern', 'raise', '-c', 'CH-001', 'Blocked']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the audit log is read-only: audit\/changes\/CH-001\.jsonl is not writable\n {2}fix: make it writable/);
      assertUnchanged(repo, before);
      // Even reading that change fails: its command event cannot be recorded. With --json,
      // stdout is still exactly one document, the error (not the result followed by it).
      const l = await repo.run(['--json', 'concern', 'list', 'CH-001']);
      assert.equal(l.code, 1);
      const doc = JSON.parse(l.stdout) as { ok: boolean; error: { code: string; file: string } };
      assert.deepEqual([doc.ok, doc.error.code, doc.error.file], [false, 'audit-readonly', 'audit/changes/CH-001.jsonl']);
      assertUnchanged(repo, before);
    });
  });
});
