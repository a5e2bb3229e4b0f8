import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DfError } from '../errors';

/** Where everything lives in a user's repository (DESIGN.md §3). */
export interface Layout {
  readonly root: string;
  readonly dynaforgeDir: string;
  readonly configFile: string;
  readonly constitutionFile: string;
  readonly templatesDir: string;
  readonly schemasDir: string;
  /** Per-working-copy state, gitignored: locks, the active change. */
  readonly stateDir: string;
  readonly lockDir: string;
  readonly changesDir: string;
  readonly auditDir: string;
  readonly manifestFile: string;
}

export function layoutAt(root: string): Layout {
  const dynaforgeDir = join(root, '.dynaforge');
  const stateDir = join(dynaforgeDir, 'state');
  return {
    root,
    dynaforgeDir,
    configFile: join(dynaforgeDir, 'config.yaml'),
    constitutionFile: join(dynaforgeDir, 'memory', 'constitution.md'),
    templatesDir: join(dynaforgeDir, 'templates'),
    schemasDir: join(dynaforgeDir, 'schemas'),
    stateDir,
    lockDir: join(stateDir, 'locks'),
    changesDir: join(root, 'changes'),
    auditDir: join(root, 'audit'),
    manifestFile: join(dynaforgeDir, 'init-manifest.json'),
  };
}

export function changeDir(layout: Layout, id: string): string {
  return join(layout.changesDir, id);
}

/** The nearest folder at or above `cwd` holding `.dynaforge/config.yaml`, or undefined. */
export function findRoot(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.dynaforge', 'config.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function requireRoot(cwd: string): string {
  const root = findRoot(cwd);
  if (!root) {
    throw new DfError('not-initialized', `no Dynaforge project here: neither ${resolve(cwd)} nor a folder above it has .dynaforge/config.yaml`, 'run `dynaforge init` at the root of your repository', { file: '.dynaforge/config.yaml' });
  }
  if (!statSync(root).isDirectory()) throw new DfError('io', `${root} is not a folder`, 'run dynaforge inside your repository');
  return root;
}

/** The tool's own records and the views it generates (project-relative): not work to govern or couple. */
const RECORDS = /^(?:changes|audit|\.dynaforge|artifacts|tests\/results)\/|^(?:TRACEABILITY|PROGRESS|CHANGELOG)\.md$/;

export function isDynaforgeRecord(path: string): boolean {
  return RECORDS.test(path);
}
