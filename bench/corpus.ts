/**
 * A realistic project for the CLI benchmarks, built once under .bench/corpus and reused while
 * its stamp (generator version and sizes) matches. Deterministic: a seeded random source, a
 * clock moved by hand, seeded ids and fixed commit dates give the same bytes and the same
 * commit ids on every machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StepClock, writeChanges } from './corpusChanges';
import { AREAS, requirementsText, sourceDirs, sourceFile, sourceText, testText } from './corpusText';
import { AUTHORS, gitEnv, importHistory, planHistory } from './history';
import { Random } from './random';

/** Bump when the generator changes what it writes: a corpus with another stamp is rebuilt. */
export const CORPUS_VERSION = 1;
export const SIZES = { changes: 1000, sources: 10_000, events: 100_000, frs: 200, tcs: 1000, commits: 2000 } as const;

const DAY = 86_400_000;
const START = Date.parse('2026-01-05T09:00:00Z');
/** The last change is created here; DYNAFORGE_NOW (2026-11-21) comes after everything. */
const END = Date.parse('2026-10-31T09:00:00Z');

export interface CorpusReport {
  readonly root: string;
  readonly reused: boolean;
  /** Build time of each phase (ms), when built. */
  readonly phases: ReadonlyArray<readonly [string, number]>;
}

function stampText(): string {
  return `${JSON.stringify({ version: CORPUS_VERSION, ...SIZES })}\n`;
}

/** The corpus at `root`, built unless one with the same stamp is there (or `rebuild`). */
export async function ensureCorpus(root: string, rebuild: boolean): Promise<CorpusReport> {
  const stamp = `${root}.stamp`;
  if (!rebuild && existsSync(join(root, '.git')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText()) {
    return { root, reused: true, phases: [] };
  }
  rmSync(stamp, { force: true });
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const phases: [string, number][] = [];
  const phase = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await fn();
    phases.push([name, performance.now() - t]);
    return r;
  };
  const rng = new Random(0xdf2026);
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['config', 'user.name', (AUTHORS[0] as { name: string }).name]);
  git(root, ['config', 'user.email', (AUTHORS[0] as { email: string }).email]);

  const dirs = sourceDirs();
  const perDir = SIZES.sources / dirs.length;
  const filesByDir = new Map(dirs.map((d) => [d, Array.from({ length: perDir }, (_, n) => sourceFile(d, n))]));
  const filesOf = (d: string): readonly string[] => filesByDir.get(d) ?? [];
  const files = dirs.flatMap(filesOf);
  const docs = documents();

  const clock = new StepClock(START);
  const spacing = Math.floor((END - START) / SIZES.changes);
  const changes = await phase('changes, artifacts, approvals, audit events', () =>
    writeChanges({ root, rng, clock, start: START, spacing, changes: SIZES.changes, events: SIZES.events, dirs, frs: SIZES.frs, tcs: SIZES.tcs, filesOf }),
  );
  const plan = planHistory(rng, SIZES.commits - 2, files, filesOf, changes, START - 30 * DAY, END);
  await phase('source files, requirements, tests', () => {
    for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
    for (const f of files) writeFileSync(join(root, f), sourceText(f, plan.revisions.get(f) ?? 0));
    for (const [f, text] of docs) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), text);
    }
  });
  await phase(`git history (${SIZES.commits} commits, fast-import)`, () => {
    const initial = [...docs, ...files.map((f) => [f, sourceText(f, 0)] as const)];
    const records = ['.gitignore', '.gitattributes', ...walk(root, '.dynaforge').filter((f) => !f.startsWith('.dynaforge/state/')), ...walk(root, 'changes'), ...walk(root, 'audit')].map((f) => [f, readFileSync(join(root, f))] as const);
    importHistory({ root, plan, start: START - 60 * DAY, initial, source: sourceText, records, recordsAt: END + 2 * DAY });
    // The files are already in place: point the index at the new HEAD.
    git(root, ['reset', '-q']);
    const dirty = git(root, ['status', '--porcelain']).trim();
    if (dirty) throw new Error(`the corpus differs from its last commit:\n${dirty.split('\n').slice(0, 10).join('\n')}`);
  });
  writeFileSync(stamp, stampText());
  return { root, reused: false, phases };
}

/** Brings a reused corpus back to its last commit: no state, caches or audit events left by an earlier run. */
export function resetCorpus(root: string): void {
  git(root, ['reset', '-q', '--hard']);
  git(root, ['clean', '-q', '-fdx']);
}

/** docs/requirements (200 FRs over 10 files) and test/ (1,000 TCs over 50 files). */
function documents(): [string, string][] {
  const out: [string, string][] = [['README.md', '# Shop\n\nA benchmark corpus for Dynaforge: sources, requirements, tests and history.\n']];
  const perDoc = SIZES.frs / 10;
  for (let d = 0; d < 10; d++) out.push([`docs/requirements/${AREAS[d]}.md`, requirementsText(AREAS[d] as string, d * perDoc + 1, (d + 1) * perDoc)]);
  const perTest = SIZES.tcs / 50;
  for (let t = 0; t < 50; t++) {
    const file = `test/${AREAS[t % AREAS.length]}-${Math.floor(t / AREAS.length) + 1}.test.ts`;
    out.push([file, testText(file, t * perTest + 1, (t + 1) * perTest)]);
  }
  return out;
}

/** Files under `dir` (relative to `root`), sorted. */
function walk(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...walk(root, rel));
    else out.push(rel);
  }
  return out.sort();
}

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${relative(process.cwd(), cwd)}: ${r.stderr}`);
  return r.stdout;
}
