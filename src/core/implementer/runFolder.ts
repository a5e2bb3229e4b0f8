import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { canonicalJson, prettyJson } from '../canonical';
import { DfError, errnoCode } from '../errors';
import { ioError, readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { describeIssue, fieldPath } from '../schema/issues';
import { RETAIN_MARKER, RUN_FILE, RUNS_DIR, RunSchema, type Run } from '../schema/run';
import { StateSchema, type RunState } from './runState';

/** `artifacts/work/CH-###` (relative to the root). */
export function runsRel(chId: string): string {
  return `${RUNS_DIR}/${chId}`;
}

/** The numbers N of the change's `run-N` folders, ascending. */
export function runNumbers(root: string, chId: string): number[] {
  let names: string[];
  try {
    names = readdirSync(join(root, runsRel(chId)));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw ioError('read', runsRel(chId), e);
  }
  return names
    .map((n) => /^run-([1-9]\d*)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** One `artifacts/work/CH-###/run-N/` folder: run.json, state.json, the ephemeral spec/plan/tasks, the transcript, pre-images. */
export class RunFolder {
  readonly rel: string;
  readonly dir: string;

  constructor(
    readonly root: string,
    readonly chId: string,
    readonly n: number,
  ) {
    this.rel = `${runsRel(chId)}/run-${n}`;
    this.dir = join(root, this.rel);
  }

  /**
   * Makes the next free `run-N` (mkdir is the arbiter: two callers never get one folder).
   * A number retention is still deleting (`.run-N.deleting`) is not reused.
   */
  static allocate(root: string, chId: string): RunFolder {
    mkdirSync(join(root, runsRel(chId)), { recursive: true });
    const deleting = readdirSync(join(root, runsRel(chId))).map((n) => Number(/^\.run-([1-9]\d*)\.deleting$/.exec(n)?.[1] ?? 0));
    for (let n = Math.max(runNumbers(root, chId).pop() ?? 0, ...deleting) + 1; ; n++) {
      const folder = new RunFolder(root, chId, n);
      try {
        mkdirSync(folder.dir);
        return folder;
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw ioError('create', folder.rel, e);
      }
    }
  }

  /** The change's newest run, or undefined when it has none. */
  static latest(root: string, chId: string): RunFolder | undefined {
    const n = runNumbers(root, chId).pop();
    return n === undefined ? undefined : new RunFolder(root, chId, n);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  fileRel(name: string): string {
    return `${this.rel}/${name}`;
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomicSync(this.path(name), prettyJson(value), this.fileRel(name));
  }

  readJson<S extends z.ZodType>(name: string, schema: S): z.infer<S> {
    const rel = this.fileRel(name);
    const text = readTextIfExists(this.path(name));
    const fix = `the run folder ${this.rel} is damaged; start a new run with \`dynaforge implement ${this.chId}\``;
    if (text === undefined) throw new DfError('not-found', `${rel} is missing`, fix, { file: rel });
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new DfError('invalid-schema', `${rel} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, fix, { file: rel });
    }
    const r = schema.safeParse(data);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new DfError('invalid-schema', `${rel}: ${r.error.issues.slice(0, 3).map(describeIssue).join('; ')}`, fix, { file: rel, field: issue ? fieldPath(issue.path) : '(root)' });
    }
    return r.data as z.infer<S>;
  }

  readRun(): Run {
    return this.readJson(RUN_FILE, RunSchema);
  }

  writeRun(run: Run): void {
    this.writeJson(RUN_FILE, RunSchema.parse(run));
  }

  readState(): RunState {
    return this.readJson('state.json', StateSchema);
  }

  writeState(state: RunState): void {
    this.writeJson('state.json', StateSchema.parse(state));
  }

  /** Appends lines to `transcript.jsonl` (canonical JSON, one record a line): what was asked and answered, for people. */
  transcript(records: readonly unknown[]): void {
    if (!records.length) return;
    try {
      appendFileSync(this.path('transcript.jsonl'), records.map((r) => `${canonicalJson(r)}\n`).join(''));
    } catch (e) {
      throw ioError('write', this.fileRel('transcript.jsonl'), e);
    }
  }

  get retained(): boolean {
    return existsSync(this.path(RETAIN_MARKER));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
