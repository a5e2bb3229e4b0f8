import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cliSuite, diffSnapshots, makeWritable, snapshot, TempRepo } from './cliHarness';

const MANAGED = [
  '.dynaforge/config.yaml',
  '.dynaforge/memory/constitution.md',
  '.dynaforge/templates/brief.md',
  '.dynaforge/templates/spec.md',
  '.dynaforge/templates/plan.md',
  '.dynaforge/templates/tasks.md',
  '.dynaforge/templates/impact.md',
  '.dynaforge/schemas/config.schema.json',
  '.dynaforge/schemas/change.schema.json',
  'changes/.gitkeep',
  'audit/.gitkeep',
];
const IGNORE_LINES = ['artifacts/work/', '.dynaforge/state/'];
const ATTRIBUTE_LINES = ['audit/** -text', 'changes/** text eol=lf'];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const lines = (text: string) => text.split('\n');
/** The files init owns (everything but the audit log, which every run appends to). */
const projectFiles = (repo: TempRepo) => snapshot(repo.dir, ['.dynaforge', 'changes', '.gitignore', '.gitattributes']);

describe('cli: init', () => {
  cliSuite();

  it('creates the layout, the manifest and the ignore entries, and says what it did', async () => {
    const repo = await TempRepo.create({ init: false });
    const r = await repo.ok('init');
    for (const f of MANAGED) assert.ok(existsSync(repo.path(f)), `${f} was not created`);
    assert.ok(existsSync(repo.path('.dynaforge/init-manifest.json')));
    assert.match(r.stdout, /created: \.dynaforge\/config\.yaml, /);
    assert.match(r.stdout, /Next: dynaforge new/);
    assert.match(repo.read('.dynaforge/config.yaml'), /^# yaml-language-server: \$schema=\.\/schemas\/config\.schema\.json$/m);
    const manifest = JSON.parse(repo.read('.dynaforge/init-manifest.json')) as { files: Record<string, string> };
    for (const f of MANAGED) assert.equal(manifest.files[f], sha256(repo.read(f)), `manifest hash of ${f}`);
    for (const l of IGNORE_LINES) assert.ok(lines(repo.read('.gitignore')).includes(l), `.gitignore lacks ${l}`);
    for (const l of ATTRIBUTE_LINES) assert.ok(lines(repo.read('.gitattributes')).includes(l), `.gitattributes lacks ${l}`);
    const init = repo.auditEvents().filter((e) => e.type === 'project.initialized');
    assert.equal(init.length, 1);
    assert.deepEqual([...(init[0]?.payload.written as string[])].sort(), [...MANAGED].sort());
  });

  it('a second run is a no-op: "already up to date", every file byte-identical', async () => {
    const repo = await TempRepo.create();
    const before = projectFiles(repo);
    const r = await repo.ok('init');
    assert.match(r.stdout, /already up to date/);
    assert.doesNotMatch(r.stdout, /created:|upgraded:|kept your edits|added to \.gitignore/);
    assert.deepEqual(diffSnapshots(before, projectFiles(repo)), { added: [], removed: [], changed: [] });
  });

  it('keeps a file the user edited, and says so', async () => {
    const repo = await TempRepo.create();
    const edited = `${repo.read('.dynaforge/memory/constitution.md')}\n- Our own principle: no Fridays.\n`;
    writeFileSync(repo.path('.dynaforge/memory/constitution.md'), edited);
    const r = await repo.ok('init');
    assert.match(r.stdout, /kept your edits: \.dynaforge\/memory\/constitution\.md \(use --force to replace them; a backup is kept\)/);
    assert.equal(repo.read('.dynaforge/memory/constitution.md'), edited);
    assert.ok(!readdirSync(repo.path('.dynaforge/memory')).some((f) => f.includes('.bak')), 'no backup without --force');
    const last = repo.auditEvents().filter((e) => e.type === 'project.initialized').pop();
    assert.deepEqual(last?.payload.kept, ['.dynaforge/memory/constitution.md']);
  });

  it('upgrades a file it wrote earlier and nobody touched since (an older template)', async () => {
    const repo = await TempRepo.create();
    const shipped = repo.read('.dynaforge/templates/spec.md');
    // Make spec.md look like an older init wrote it: old text on disk, and its hash in the manifest.
    const old = '# Spec\n\nThe template of an older dynaforge.\n';
    writeFileSync(repo.path('.dynaforge/templates/spec.md'), old);
    const manifestFile = repo.path('.dynaforge/init-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: Record<string, string> };
    manifest.files['.dynaforge/templates/spec.md'] = sha256(old);
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

    const r = await repo.ok('init');
    assert.match(r.stdout, /upgraded: \.dynaforge\/templates\/spec\.md/);
    assert.doesNotMatch(r.stdout, /kept your edits/);
    assert.equal(repo.read('.dynaforge/templates/spec.md'), shipped);
    const after = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: Record<string, string> };
    assert.equal(after.files['.dynaforge/templates/spec.md'], sha256(shipped), 'the manifest now records the new text');
  });

  it('--force replaces an edited file and keeps a .bak copy of the edit', async () => {
    const repo = await TempRepo.create();
    const shipped = repo.read('.dynaforge/config.yaml');
    const edited = shipped.replace('name: ""', 'name: "mine"');
    assert.notEqual(edited, shipped);
    writeFileSync(repo.path('.dynaforge/config.yaml'), edited);

    const r = await repo.ok('init', '--force');
    assert.match(r.stdout, /backed up before overwriting: \.dynaforge\/config\.yaml\.bak-2026-11-21T09-00-00-000Z/);
    assert.equal(repo.read('.dynaforge/config.yaml'), shipped);
    assert.equal(repo.read('.dynaforge/config.yaml.bak-2026-11-21T09-00-00-000Z'), edited);
    const backups = readdirSync(repo.path('.dynaforge')).filter((f) => f.includes('.bak'));
    assert.deepEqual(backups, ['config.yaml.bak-2026-11-21T09-00-00-000Z'], 'only the edited file is backed up');
  });

  it('--force repairs a config.yaml that does not parse, keeping the broken one as .bak', async () => {
    const repo = await TempRepo.create();
    const shipped = repo.read('.dynaforge/config.yaml');
    writeFileSync(repo.path('.dynaforge/config.yaml'), 'ids: [\n');
    assert.equal((await repo.run(['list'])).code, 1);
    const r = await repo.ok('init', '--force');
    assert.match(r.stdout, /backed up before overwriting: \.dynaforge\/config\.yaml\.bak-/);
    assert.equal(repo.read('.dynaforge/config.yaml'), shipped);
    assert.equal(repo.read('.dynaforge/config.yaml.bak-2026-11-21T09-00-00-000Z'), 'ids: [\n');
    await repo.ok('list');
  });

  it('appends the ignore entries once and keeps the user\'s own lines', async () => {
    const repo = await TempRepo.create({ init: false });
    writeFileSync(repo.path('.gitignore'), 'node_modules/\n# ours\n*.log'); // no final newline
    writeFileSync(repo.path('.gitattributes'), '*.png binary\n');
    await repo.ok('init');
    const ignore = repo.read('.gitignore');
    assert.ok(ignore.startsWith('node_modules/\n# ours\n*.log\n'), `user lines kept in order:\n${ignore}`);
    for (const l of IGNORE_LINES) assert.equal(lines(ignore).filter((x) => x === l).length, 1, `${l} once`);
    assert.ok(repo.read('.gitattributes').startsWith('*.png binary\n'));

    const before = projectFiles(repo);
    await repo.ok('init');
    await repo.ok('init');
    assert.deepEqual(diffSnapshots(before, projectFiles(repo)), { added: [], removed: [], changed: [] }, 'no second copy of the entries');
  });

  it('leaves alone ignore entries the user already has', async () => {
    const repo = await TempRepo.create({ init: false });
    writeFileSync(repo.path('.gitignore'), 'artifacts/work/\n.dynaforge/state/\n');
    const r = await repo.ok('init');
    assert.equal(repo.read('.gitignore'), 'artifacts/work/\n.dynaforge/state/\n');
    assert.doesNotMatch(r.stdout, /artifacts\/work\/,/);
  });

  it('run in a subfolder of a git repository, initialises the repository top', async () => {
    const repo = await TempRepo.create({ init: false });
    mkdirSync(repo.path('src', 'deep'), { recursive: true });
    const r = await repo.run(['init'], { cwd: 'src/deep' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Dynaforge project at ${repo.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    assert.ok(existsSync(repo.path('.dynaforge/config.yaml')));
    assert.ok(!existsSync(repo.path('src/deep/.dynaforge')) && !existsSync(repo.path('src/.dynaforge')));
    const cmd = repo.auditEvents().find((e) => e.type === 'command');
    assert.equal(cmd?.payload.cwd, 'src/deep', 'the command event records where it ran, relative to the root');

    const n = await repo.run(['new', 'From a subfolder'], { cwd: 'src/deep' });
    assert.equal(n.code, 0, n.stderr);
    assert.deepEqual(repo.changeIds(), ['CH-001']);
  });

  it('-C <dir> runs as if started there', async () => {
    const repo = await TempRepo.create({ init: false });
    mkdirSync(repo.path('sub'));
    const r = await repo.run(['-C', 'sub', 'init']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(repo.path('.dynaforge/config.yaml')));
  });

  it('with a read-only audit folder, refuses before writing anything', async () => {
    const repo = await TempRepo.create();
    rmSync(repo.path('.dynaforge/templates/spec.md')); // init would restore it...
    writeFileSync(repo.path('.gitignore'), 'node_modules/\n'); // ...and add its ignore lines
    execFileSync('chmod', ['-R', 'a-w', repo.path('audit')]);
    const before = snapshot(repo.dir);
    const r = await repo.run(['init']);
    makeWritable(repo.path('audit'));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'dynaforge: error: the audit log is read-only: audit is not writable\n  fix: make it writable (`chmod -R u+w audit`) and retry; nothing was changed\n');
    assert.deepEqual(diffSnapshots(before, snapshot(repo.dir)), { added: [], removed: [], changed: [] }, 'nothing was changed, as the message says');
  });

  it('-C to a folder that does not exist is a usage error, and creates nothing', async () => {
    const repo = await TempRepo.create();
    const before = snapshot(repo.dir);
    for (const args of [['-C', 'typo', 'init'], ['-C', 'typo', 'list'], ['-C', '.gitignore', 'list']]) {
      const r = await repo.run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, new RegExp(`^dynaforge: error: cannot run in ${args[1]?.replace('.', '\\.')}: it is not a folder\n {2}at field -C\n {2}fix: `), args.join(' '));
    }
    assert.deepEqual(diffSnapshots(before, snapshot(repo.dir)), { added: [], removed: [], changed: [] });
  });

  it('init --agents copilot writes the prompt files once, keeps an edited one, and refuses an unknown agent', async () => {
    const repo = await TempRepo.create();
    await repo.ok('init', '--agents', 'copilot');
    const file = '.github/prompts/df.implement.prompt.md';
    assert.match(repo.read(file), /^---\ndescription: 'Implement the tasks of a change/);
    writeFileSync(repo.path(file), `${repo.read(file)}\nMy own note.\n`);
    const before = snapshot(repo.dir, ['.github']);
    await repo.ok('init', '--agents', 'copilot');
    assert.deepEqual(diffSnapshots(before, snapshot(repo.dir, ['.github'])), { added: [], removed: [], changed: [] }, 'idempotent, and the edit is kept');
    const bad = await repo.run(['init', '--agents', 'nonsense']);
    assert.equal(bad.code, 2);
  });
});
