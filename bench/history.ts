/**
 * The corpus's git history, fed to `git fast-import` as one stream (seconds, where 2,000
 * `git commit`s would take minutes): an initial import, commits that touch source files
 * (most claimed for a change by a `Change: CH-###` trailer, some not), and a last commit
 * holding what Dynaforge wrote (changes/, audit/, .dynaforge/).
 */
import { spawnSync } from 'node:child_process';
import type { PlannedChange } from './corpusChanges';
import type { Random } from './random';

export interface HistoryPlan {
  /** The commits after the initial import, oldest first. */
  readonly commits: { readonly at: number; readonly author: number; readonly change?: string; readonly files: string[]; readonly subject: string }[];
  /** The revision of every source file after the last commit that touched it. */
  readonly revisions: Map<string, number>;
}

/** git as the corpus needs it, whatever the machine's own git configuration says. */
export function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
}

export const AUTHORS = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Alan Turing', email: 'alan@example.com' },
];

/** Plans `count` commits over `files`, between `start` and `end` (ms); 3 in 4 claimed for a change whose folders they touch. */
export function planHistory(rng: Random, count: number, files: readonly string[], filesOf: (dir: string) => readonly string[], changes: readonly PlannedChange[], start: number, end: number): HistoryPlan {
  const revisions = new Map<string, number>(files.map((f) => [f, 0]));
  const commits: HistoryPlan['commits'][number][] = [];
  for (let k = 0; k < count; k++) {
    const at = start + Math.floor(((k + 1) * (end - start)) / (count + 1));
    // The change being worked on around then: one created shortly before.
    let c = 0;
    while (c + 1 < changes.length && (changes[c + 1] as PlannedChange).created <= at) c++;
    const change = changes[Math.max(0, c - rng.int(0, 5))] as PlannedChange;
    const claimed = rng.chance(0.75);
    const pool = claimed ? change.dirs.flatMap((d) => filesOf(d)) : files;
    const touched = rng.sample(pool, rng.int(1, 6)).sort();
    for (const f of touched) revisions.set(f, (revisions.get(f) as number) + 1);
    const what = touched[0]?.replace(/^src\//, '').replace(/\.ts$/, '') ?? 'sources';
    commits.push({ at, author: rng.int(0, AUTHORS.length - 1), ...(claimed ? { change: change.id } : {}), files: touched, subject: `${rng.pick(['Update', 'Fix', 'Refactor', 'Tidy'])} ${what}${touched.length > 1 ? ` and ${touched.length - 1} more` : ''}` });
  }
  return { commits, revisions };
}

/** Writes the fast-import stream as a list of buffers (lengths in bytes, as fast-import counts). */
class Stream {
  readonly parts: Buffer[] = [];
  private mark = 0;

  text(s: string): void {
    this.parts.push(Buffer.from(s, 'utf8'));
  }

  data(content: string | Buffer): void {
    const b = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.text(`data ${b.length}\n`);
    this.parts.push(b, Buffer.from('\n'));
  }

  commit(at: number, author: number, message: string, files: ReadonlyArray<readonly [string, string | Buffer]>): void {
    const who = AUTHORS[author] as (typeof AUTHORS)[number];
    const when = `${Math.floor(at / 1000)} +0000`;
    this.mark += 1;
    this.text(`commit refs/heads/main\nmark :${this.mark}\nauthor ${who.name} <${who.email}> ${when}\ncommitter ${who.name} <${who.email}> ${when}\n`);
    this.data(message);
    if (this.mark > 1) this.text(`from :${this.mark - 1}\n`);
    for (const [path, content] of files) {
      this.text(`M 100644 inline ${path}\n`);
      this.data(content);
    }
    this.text('\n');
  }
}

export interface HistoryInput {
  readonly root: string;
  readonly plan: HistoryPlan;
  readonly start: number;
  /** The files of the initial import. */
  readonly initial: ReadonlyArray<readonly [string, string]>;
  /** A source file's text at a revision. */
  readonly source: (path: string, revision: number) => string;
  /** The last commit: Dynaforge's files, and when. */
  readonly records: ReadonlyArray<readonly [string, Buffer]>;
  readonly recordsAt: number;
}

/** Runs `git fast-import` in `root` (an initialised repository); returns the number of commits. */
export function importHistory(h: HistoryInput): number {
  const s = new Stream();
  const revision = new Map<string, number>();
  s.commit(h.start, 0, 'Initial import\n', h.initial);
  for (const c of h.plan.commits) {
    const files = c.files.map((f) => {
      const r = (revision.get(f) ?? 0) + 1;
      revision.set(f, r);
      return [f, h.source(f, r)] as const;
    });
    const trailer = c.change ? `\n\nChange: ${c.change}` : '';
    s.commit(c.at, c.author, `${c.subject}\n\nKeeps behaviour the same for existing callers.${trailer}\n`, files);
  }
  s.commit(h.recordsAt, 0, 'Record Dynaforge changes, approvals and the audit log\n', h.records);
  const r = spawnSync('git', ['fast-import', '--quiet', '--force'], { cwd: h.root, env: gitEnv(), input: Buffer.concat(s.parts), maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`git fast-import failed: ${r.stderr.toString()}`);
  return h.plan.commits.length + 2;
}
