import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { prettyJson, sha256 } from '../canonical';
import { writeFileAtomicSync, readTextIfExists } from '../fs/atomic';
import type { Clock } from '../ports/clock';
import type { Layout } from '../repo/layout';
import { jsonSchemaFiles } from '../schema/jsonSchema';
import { agentFiles, type PromptAgent } from './agentFiles';
import { packageTemplate } from './packageFiles';

export const ARTIFACT_TEMPLATES = ['brief', 'spec', 'plan', 'tasks', 'impact'] as const;

/** Lines `init` makes sure the repository's .gitignore and .gitattributes hold. */
const GITIGNORE_LINES = ['artifacts/work/', '.dynaforge/state/'];
// Hashes are over exact bytes: keep git from converting line endings under audit/ and changes/.
const GITATTRIBUTES_LINES = ['audit/** -text', 'changes/** text eol=lf'];

export interface InitReport {
  readonly root: string;
  /** Files created. */
  readonly written: string[];
  /** Files already identical to what init would write. */
  readonly unchanged: string[];
  /** Files init wrote earlier, untouched since, now replaced by a newer version. */
  readonly upgraded: string[];
  /** Files the user edited (or owned before init): left alone. */
  readonly kept: string[];
  /** Backups made by --force before overwriting an edited file. */
  readonly backups: string[];
  /** Lines appended to .gitignore / .gitattributes. */
  readonly ignoreLines: string[];
}

interface Manifest {
  version: 1;
  /** sha256 of each file as init last wrote it: what tells a user's edit from our own text. */
  files: Record<string, string>;
}

/** Every file init manages, by repository-relative path; with `agents`, their command files too (agentFiles.ts). */
export function managedFiles(agents: readonly PromptAgent[] = []): Record<string, string> {
  const files: Record<string, string> = {
    '.dynaforge/config.yaml': packageTemplate('project/config.yaml'),
    '.dynaforge/memory/constitution.md': packageTemplate('project/memory/constitution.md'),
    'changes/.gitkeep': '',
    'audit/.gitkeep': '',
  };
  for (const t of ARTIFACT_TEMPLATES) files[`.dynaforge/templates/${t}.md`] = packageTemplate(`project/templates/${t}.md`);
  for (const [name, text] of Object.entries(jsonSchemaFiles())) files[`.dynaforge/schemas/${name}`] = text;
  return { ...files, ...agentFiles(agents) };
}

/**
 * Creates or upgrades a project's Dynaforge files (and, with `agents`, their command files,
 * e.g. Copilot's `.github/prompts/df.*.prompt.md`). Idempotent; never overwrites a file the
 * user edited unless `force`, and then only after a backup. Command files of agents not asked
 * for this time are left as they are.
 */
export function initProject(layout: Layout, clock: Clock, opts: { force?: boolean; agents?: readonly PromptAgent[] } = {}): InitReport {
  const report: InitReport = { root: layout.root, written: [], unchanged: [], upgraded: [], kept: [], backups: [], ignoreLines: [] };
  const manifestRel = '.dynaforge/init-manifest.json';
  const manifest = readManifest(layout.manifestFile);
  for (const [rel, text] of Object.entries(managedFiles(opts.agents))) {
    const abs = join(layout.root, rel);
    const want = sha256(text);
    const current = readTextIfExists(abs);
    if (current === undefined) {
      writeFileAtomicSync(abs, text, rel);
      report.written.push(rel);
    } else if (sha256(current) === want) {
      report.unchanged.push(rel);
    } else if (manifest.files[rel] === sha256(current)) {
      writeFileAtomicSync(abs, text, rel);
      report.upgraded.push(rel);
    } else if (opts.force) {
      const backup = `${rel}.bak-${clock.nowIso().replace(/[:.]/g, '-')}`;
      writeFileAtomicSync(join(layout.root, backup), current, backup);
      writeFileAtomicSync(abs, text, rel);
      report.backups.push(backup);
      report.upgraded.push(rel);
    } else {
      report.kept.push(rel);
      continue; // the manifest keeps the hash of what *we* wrote, so a later revert is recognised
    }
    manifest.files[rel] = want;
  }
  mkdirSync(layout.stateDir, { recursive: true });
  report.ignoreLines.push(...ensureLines(join(layout.root, '.gitignore'), GITIGNORE_LINES, '# dynaforge: per-working-copy state and ephemeral implementer runs'));
  report.ignoreLines.push(...ensureLines(join(layout.root, '.gitattributes'), GITATTRIBUTES_LINES, '# dynaforge: hashes cover exact bytes'));
  writeFileAtomicSync(layout.manifestFile, prettyJson(manifest), manifestRel);
  return report;
}

export function isInitialized(layout: Layout): boolean {
  return existsSync(layout.configFile);
}

function readManifest(file: string): Manifest {
  const text = readTextIfExists(file);
  if (text === undefined) return { version: 1, files: {} };
  try {
    const m = JSON.parse(text) as Partial<Manifest>;
    return { version: 1, files: typeof m.files === 'object' && m.files !== null ? { ...m.files } : {} };
  } catch {
    // A damaged manifest only means we cannot tell our text from the user's: treat every file as theirs.
    return { version: 1, files: {} };
  }
}

/** Appends the missing `lines` (under `comment`) to a user-owned file; returns what was added. */
function ensureLines(file: string, lines: readonly string[], comment: string): string[] {
  const current = readTextIfExists(file) ?? '';
  const have = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const missing = lines.filter((l) => !have.has(l));
  if (missing.length === 0) return [];
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  writeFileAtomicSync(file, `${current}${sep}${current ? '\n' : ''}${comment}\n${missing.join('\n')}\n`);
  return missing;
}
