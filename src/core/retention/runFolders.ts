import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { DfError, errnoCode } from '../errors';
import { ioError } from '../fs/atomic';
import { changeNumber, CHANGE_ID_RE } from '../schema/ids';
import { describeIssue } from '../schema/issues';
import { RETAIN_MARKER, RUN_FILE, RUNS_DIR, RunSchema, type Run } from '../schema/run';

/** `run-3`: an Implementer run folder. */
const RUN_DIR_RE = /^run-([1-9]\d*)$/;
/**
 * `.run-3.deleting`: a run folder retention renamed before removing it. One that is still
 * there is the remains of a deletion that did not finish (a crash, a read-only file).
 */
const LEFTOVER_RE = /^\.run-([1-9]\d*)\.deleting$/;

export function leftoverName(n: number): string {
  return `.run-${n}.deleting`;
}

/** A run as a user names it: `CH-012/run-3`, with its project-relative folder. */
export interface RunRef {
  readonly ch_id: string;
  readonly n: number;
  /** `CH-012/run-3` */
  readonly ref: string;
  /** `artifacts/work/CH-012/run-3` (forward slashes) */
  readonly path: string;
}

export function runRef(chId: string, n: number): RunRef {
  return { ch_id: chId, n, ref: `${chId}/run-${n}`, path: `${RUNS_DIR}/${chId}/run-${n}` };
}

/** Reads `CH-012/run-3` or `artifacts/work/CH-012/run-3` (any case of `ch`, a trailing slash allowed). */
export function parseRunRef(input: string): RunRef {
  const text = input.trim().replace(/\\/g, '/').replace(/\/+$/, '');
  const m = /^(?:(?:\.\/)?artifacts\/work\/)?(ch-\d{3,})\/run-([1-9]\d*)$/i.exec(text);
  if (!m) throw new DfError('usage', `"${input}" is not a run`, 'name a run as CH-012/run-3 (`dynaforge retention plan` lists them)', { field: 'run' });
  return runRef((m[1] as string).toUpperCase(), Number(m[2]));
}

/** One folder under artifacts/work/CH-###/ as retention sees it: read, measured, never trusted. */
export interface RunFolder extends RunRef {
  /** A run, or the remains of an unfinished deletion (`.run-N.deleting`, whose `path` it is). */
  readonly kind: 'run' | 'leftover';
  /** run.json, when it is there, valid, and names this folder. */
  readonly run?: Run;
  /** Why run.json cannot be used (missing, not JSON, invalid, names another run). */
  readonly problem?: string;
  /** A `.retain` marker is in the folder. */
  readonly retained: boolean;
  /** Bytes of every file and link in the folder, recursively; links are not followed. */
  readonly bytes: number;
  /** The newest modification time (ms) of the folder or anything in it. */
  readonly newestMs: number;
  /** Parts of the folder that could not be read (their size is not counted). */
  readonly unreadable: readonly string[];
}

export interface RunScan {
  readonly folders: RunFolder[];
  /** Entries that look like change or run folders but are not real folders (links, files). */
  readonly warnings: string[];
}

/**
 * Every run folder (and leftover) under artifacts/work/, sorted by change number, then run
 * number, a leftover before the run of the same number. Links are reported, never entered.
 */
export function scanRuns(root: string): RunScan {
  const warnings: string[] = [];
  const folders: RunFolder[] = [];
  const work = join(root, RUNS_DIR);
  const workStat = lstatOrUndefined(work);
  if (!workStat) return { folders, warnings };
  assertRealFolders(root, RUNS_DIR.split('/'), `${RUNS_DIR} (where Implementer runs live)`);
  for (const ch of namesIn(work, RUNS_DIR).filter((n) => CHANGE_ID_RE.test(n))) {
    const chAbs = join(work, ch);
    const chStat = lstatOrUndefined(chAbs);
    if (!chStat?.isDirectory() || chStat.isSymbolicLink()) {
      warnings.push(`${RUNS_DIR}/${ch} is ${describeEntry(chStat)}, not a folder: retention leaves it alone`);
      continue;
    }
    for (const name of namesIn(chAbs, `${RUNS_DIR}/${ch}`)) {
      const run = RUN_DIR_RE.exec(name);
      const left = LEFTOVER_RE.exec(name);
      if (!run && !left) continue;
      const n = Number((run ?? left)?.[1]);
      const rel = `${RUNS_DIR}/${ch}/${name}`;
      const abs = join(chAbs, name);
      const st = lstatOrUndefined(abs);
      if (!st?.isDirectory() || st.isSymbolicLink()) {
        warnings.push(`${rel} is ${describeEntry(st)}, not a run folder: retention leaves it alone`);
        continue;
      }
      folders.push(readFolder(abs, { ...runRef(ch, n), path: rel }, left ? 'leftover' : 'run'));
    }
  }
  folders.sort((a, b) => (changeNumber(a.ch_id) ?? 0) - (changeNumber(b.ch_id) ?? 0) || a.n - b.n || (a.kind === b.kind ? 0 : a.kind === 'leftover' ? -1 : 1));
  return { folders, warnings };
}

function readFolder(abs: string, ref: RunRef, kind: 'run' | 'leftover'): RunFolder {
  const size = measure(abs);
  const json = readRunJson(abs, ref);
  return {
    ...ref,
    kind,
    ...json,
    retained: lstatOrUndefined(join(abs, RETAIN_MARKER)) !== undefined,
    bytes: size.bytes,
    newestMs: size.newestMs,
    unreadable: size.unreadable,
  };
}

/** run.json of the folder, or why it cannot be used. */
export function readRunJson(abs: string, ref: RunRef): { run: Run } | { problem: string } {
  const file = join(abs, RUN_FILE);
  const st = lstatOrUndefined(file);
  if (!st) return { problem: `${RUN_FILE} is missing` };
  if (!st.isFile()) return { problem: `${RUN_FILE} is ${describeEntry(st)}, not a file` };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { problem: `${RUN_FILE} is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const parsed = RunSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    return { problem: `${RUN_FILE} is invalid: ${issues.slice(0, 3).map(describeIssue).join('; ')}${more}` };
  }
  const run = parsed.data;
  if (run.ch_id !== ref.ch_id || run.n !== ref.n) return { problem: `${RUN_FILE} describes ${run.ch_id}/run-${run.n}, not the folder it is in` };
  return { run };
}

/**
 * Proves `rel` is a run folder (`artifacts/work/CH-###/run-N`) or a leftover of one, and
 * returns its absolute path. Every component below the project root must be a real folder:
 * a symbolic link anywhere on the way is refused, so nothing outside the project (or
 * elsewhere inside it) is ever reached through one.
 */
export function assertRunFolder(root: string, rel: string): string {
  const parts = rel.split('/');
  const name = parts[3] ?? '';
  const shaped = parts.length === 4 && `${parts[0]}/${parts[1]}` === RUNS_DIR && CHANGE_ID_RE.test(parts[2] ?? '') && (RUN_DIR_RE.test(name) || LEFTOVER_RE.test(name));
  if (!shaped) {
    throw new DfError('io', `refusing to touch ${rel}: it is not a run folder`, `retention only removes ${RUNS_DIR}/CH-###/run-N folders inside the project`, { file: rel });
  }
  assertRealFolders(root, parts, rel);
  return join(root, ...parts);
}

/** Each of root/parts[0], root/parts[0]/parts[1], … must exist and be a folder, not a link. */
function assertRealFolders(root: string, parts: readonly string[], what: string): void {
  let rel = '';
  for (const part of parts) {
    rel = rel ? `${rel}/${part}` : part;
    const st = lstatOrUndefined(join(root, rel));
    if (!st) throw new DfError('not-found', `${rel} does not exist`, 'list the runs there are with `dynaforge retention plan`', { file: rel });
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw new DfError('io', `refusing to work on ${what}: ${rel} is ${describeEntry(st)}, not a folder`, `retention never follows links or deletes through them: make ${rel} a real folder inside the project, or clean it up by hand`, { file: rel });
    }
  }
}

/** Sizes and times of a folder tree, without following links; unreadable parts are listed. */
function measure(abs: string): { bytes: number; newestMs: number; unreadable: string[] } {
  let bytes = 0;
  let newestMs = 0;
  const unreadable: string[] = [];
  const stack: string[] = [''];
  while (stack.length) {
    const sub = stack.pop() as string;
    const p = sub ? join(abs, sub) : abs;
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      unreadable.push(sub || '.');
      continue;
    }
    newestMs = Math.max(newestMs, st.mtimeMs);
    if (st.isDirectory()) {
      try {
        for (const n of readdirSync(p)) stack.push(sub ? `${sub}/${n}` : n);
      } catch {
        unreadable.push(sub || '.');
      }
    } else {
      bytes += st.size; // a link counts as its own size (the length of its target's name)
    }
  }
  return { bytes, newestMs: Math.floor(newestMs), unreadable: unreadable.sort() };
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw ioError('read', p, e);
  }
}

function namesIn(dir: string, display: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
    throw new DfError('io', `cannot read ${display}: ${errnoCode(e) ?? String(e)}`, `make ${display} readable (e.g. \`chmod u+rx\`), then retry`, { file: display }, { cause: e });
  }
}

function describeEntry(st: Stats | undefined): string {
  if (!st) return 'missing';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFile()) return 'a file';
  return st.isDirectory() ? 'a folder' : 'a special file';
}
