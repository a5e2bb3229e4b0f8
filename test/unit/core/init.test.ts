import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../../src/core/canonical';
import { initProject, managedFiles } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { layoutAt } from '../../../src/core/repo/layout';
import { tempDir } from './tempRepo';

const clock = fixedClock('2026-11-21T09:00:00Z');

describe('init', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const read = (rel: string) => readFileSync(join(dir, rel), 'utf8');
  const manifest = () => JSON.parse(read('.dynaforge/init-manifest.json')) as { files: Record<string, string> };

  it('creates every managed file and remembers each hash', () => {
    const r = initProject(layoutAt(dir), clock);
    const files = Object.keys(managedFiles());
    assert.deepEqual([...r.written].sort(), [...files].sort());
    for (const f of files) assert.equal(manifest().files[f], sha256(read(f)), f);
    assert.match(read('.gitignore'), /^artifacts\/work\/$/m);
    assert.match(read('.gitattributes'), /^audit\/\*\* -text$/m);
  });

  it('is idempotent: a second run writes nothing and leaves every byte as it was', () => {
    initProject(layoutAt(dir), clock);
    const before = Object.keys(managedFiles()).map((f) => read(f));
    const gi = read('.gitignore');
    const r = initProject(layoutAt(dir), clock);
    assert.deepEqual(r.written, []);
    assert.deepEqual(r.upgraded, []);
    assert.deepEqual(r.ignoreLines, []);
    assert.deepEqual(Object.keys(managedFiles()).map((f) => read(f)), before);
    assert.equal(read('.gitignore'), gi);
  });

  it('keeps a file the user edited, and says so', () => {
    initProject(layoutAt(dir), clock);
    writeFileSync(join(dir, '.dynaforge/memory/constitution.md'), '# Ours\n');
    const r = initProject(layoutAt(dir), clock);
    assert.deepEqual(r.kept, ['.dynaforge/memory/constitution.md']);
    assert.equal(read('.dynaforge/memory/constitution.md'), '# Ours\n');
  });

  it('upgrades a file still exactly as an older init wrote it', () => {
    initProject(layoutAt(dir), clock);
    // Pretend an older dynaforge wrote a different text, untouched since.
    const old = '# old template\n';
    writeFileSync(join(dir, '.dynaforge/templates/plan.md'), old);
    const m = manifest();
    m.files['.dynaforge/templates/plan.md'] = sha256(old);
    writeFileSync(join(dir, '.dynaforge/init-manifest.json'), JSON.stringify(m));
    const r = initProject(layoutAt(dir), clock);
    assert.deepEqual(r.upgraded, ['.dynaforge/templates/plan.md']);
    assert.equal(read('.dynaforge/templates/plan.md'), managedFiles()['.dynaforge/templates/plan.md']);
  });

  it('--force overwrites an edited file only after keeping a backup', () => {
    initProject(layoutAt(dir), clock);
    writeFileSync(join(dir, '.dynaforge/config.yaml'), 'version: 1\n# mine\n');
    const r = initProject(layoutAt(dir), clock, { force: true });
    assert.equal(r.backups.length, 1);
    assert.equal(read(r.backups[0] as string), 'version: 1\n# mine\n');
    assert.equal(read('.dynaforge/config.yaml'), managedFiles()['.dynaforge/config.yaml']);
  });

  it('appends its ignore lines to an existing .gitignore without touching the user lines', () => {
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n.env');
    initProject(layoutAt(dir), clock);
    const text = read('.gitignore');
    assert.ok(text.startsWith('node_modules\n.env\n'));
    assert.equal(text.match(/artifacts\/work\//g)?.length, 1);
    initProject(layoutAt(dir), clock);
    assert.equal(read('.gitignore'), text);
    assert.ok(existsSync(join(dir, '.dynaforge/state')));
  });
});
