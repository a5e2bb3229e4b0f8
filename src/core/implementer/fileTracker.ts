import { existsSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { sha256 } from '../canonical';
import { DfError, errnoCode } from '../errors';
import { ioError, writeFileAtomicSync } from '../fs/atomic';
import type { RunFolder } from './runFolder';
import type { RunWriter } from './runWriter';

/**
 * Every file a run touches, with its pre-image (`pre/<sha256>` in the run folder, saved before
 * the run's first write and before each task's first write) and the hash the run last wrote,
 * in `files.json`. That is what `implement abort` restores from, and how it recognises a file
 * someone edited after the run: its content is then neither what the run wrote nor what it
 * was about to write. A task's evidence is taken against the content before its first write.
 */
const Sha = z.string().regex(/^[0-9a-f]{64}$/);
const EntrySchema = z.strictObject({
  path: z.string(),
  existed: z.boolean(),
  /** sha256 of the pre-image (absent when the run created the file). */
  pre: Sha.optional(),
  /** What the run last wrote. */
  post: Sha,
  /** What was there before that last write (its pre-image or an earlier write of the run): also the run's own bytes. */
  prior: Sha.nullable(),
  /** Folders the run created for the file (deepest first): removed by abort when empty. */
  created_dirs: z.array(z.string()),
});
const JournalSchema = z.strictObject({ path: z.string(), task: z.string(), step: z.number().int(), before: Sha.nullable(), after: Sha });
const ManifestSchema = z.strictObject({ version: z.literal(1), files: z.array(EntrySchema), journal: z.array(JournalSchema) });
type Manifest = z.infer<typeof ManifestSchema>;
type Entry = z.infer<typeof EntrySchema>;

export const FILES_JSON = 'files.json';

export interface WriteOutcome {
  readonly action: 'created' | 'modified' | 'unchanged';
  readonly before: string | null;
  readonly after: string;
}

/** A file a task changed: its sha256 before the task's first write to it and now (null: there was none, there is none). */
export interface TaskChange {
  readonly path: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface RestoreReport {
  /** Files put back to their pre-image. */
  readonly restored: string[];
  /** Files the run created, deleted again. */
  readonly deleted: string[];
  /** Files left alone because someone changed them after the run wrote them. */
  readonly kept: { path: string; reason: string }[];
}

export class FileTracker {
  private manifest: Manifest;

  /** `writer`: where the bytes go (runWriter.ts); without one, the file is written here. */
  constructor(
    private readonly folder: RunFolder,
    private readonly writer?: RunWriter,
  ) {
    this.manifest = existsSync(folder.path(FILES_JSON)) ? folder.readJson(FILES_JSON, ManifestSchema) : { version: 1, files: [], journal: [] };
  }

  /** How many writes the run has made: a verification is current while this has not moved. */
  get writes(): number {
    return this.manifest.journal.length;
  }

  /** Every path the run wrote, sorted. */
  get paths(): string[] {
    return this.manifest.files.map((f) => f.path).sort();
  }

  entry(path: string): Entry | undefined {
    return this.manifest.files.find((f) => f.path === path);
  }

  /**
   * Writes `data` to `rel` (already confined by the caller). The pre-image is saved and the
   * new hash recorded before the file is written, so a crash at any point leaves a manifest
   * that abort can act on. Without a writer the file is written before this returns.
   */
  write(rel: string, data: Buffer, who: { task: string; step: number }): Promise<WriteOutcome> {
    const abs = join(this.folder.root, rel);
    const current = readIfFile(abs, rel);
    const before = current === undefined ? null : sha256(current);
    const after = sha256(data);
    if (before === after) return Promise.resolve({ action: 'unchanged', before, after });
    if (current !== undefined && !this.writtenBy(who.task).includes(rel)) this.savePre(before as string, current);
    let entry = this.entry(rel);
    if (!entry) {
      entry = { path: rel, existed: current !== undefined, ...(before ? { pre: before } : {}), post: after, prior: before, created_dirs: this.missingDirs(abs) };
      this.manifest.files.push(entry);
      this.manifest.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    entry.prior = before;
    entry.post = after;
    this.manifest.journal.push({ path: rel, task: who.task, step: who.step, before, after });
    this.save();
    const outcome: WriteOutcome = { action: current === undefined ? 'created' : 'modified', before, after };
    if (this.writer) return this.writer.write(abs, rel, data).then(() => outcome);
    writeFileAtomicSync(abs, data, rel);
    return Promise.resolve(outcome);
  }

  /** The paths `task` changed: written by it and, now, different from what they were before its first write. */
  changedBy(task: string): string[] {
    return this.changesBy(task).map((c) => c.path);
  }

  /** What `task` changed, by path (sorted): the content before its first write, and now. */
  changesBy(task: string): TaskChange[] {
    const first = new Map<string, string | null>();
    for (const j of this.manifest.journal) if (j.task === task && !first.has(j.path)) first.set(j.path, j.before);
    return [...first.entries()]
      .map(([path, before]) => ({ path, before, after: this.currentHash(path) }))
      .filter((c) => c.after !== c.before)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The saved content whose sha256 is `sha` (a pre-image), or undefined when the run folder does not hold it. */
  preImage(sha: string): { readonly abs: string; readonly rel: string } | undefined {
    const name = `pre/${sha}`;
    return existsSync(this.folder.path(name)) ? { abs: this.folder.path(name), rel: this.folder.fileRel(name) } : undefined;
  }

  /** Every path `task` wrote, in order of its first write. */
  writtenBy(task: string): string[] {
    return [...new Set(this.manifest.journal.filter((j) => j.task === task).map((j) => j.path))];
  }

  currentHash(rel: string): string | null {
    const data = readIfFile(join(this.folder.root, rel), rel);
    return data === undefined ? null : sha256(data);
  }

  /**
   * Puts every file back as it was before the run: pre-images rewritten, created files deleted
   * (and the folders made for them, when empty). A file whose content is neither what the run
   * wrote nor what it had just written over was edited by someone else: it is kept, and reported.
   */
  restore(): RestoreReport {
    const report: RestoreReport = { restored: [], deleted: [], kept: [] };
    const dirs: string[] = [];
    for (const e of this.manifest.files) {
      const now = this.currentHash(e.path);
      const original = e.pre ?? null;
      if (now === original) continue; // already as it was
      if (now !== e.post && now !== e.prior) {
        report.kept.push({ path: e.path, reason: now === null ? 'deleted after the run wrote it' : 'changed after the run wrote it' });
        continue;
      }
      const abs = join(this.folder.root, e.path);
      if (e.existed && e.pre) {
        writeFileAtomicSync(abs, readFileSync(this.folder.path(`pre/${e.pre}`)), e.path);
        report.restored.push(e.path);
      } else {
        try {
          unlinkSync(abs);
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw ioError('delete', e.path, err);
        }
        report.deleted.push(e.path);
        dirs.push(...e.created_dirs);
      }
    }
    for (const d of [...new Set(dirs)].sort((a, b) => b.length - a.length)) {
      try {
        rmdirSync(join(this.folder.root, d));
      } catch {
        // Not empty (someone put a file there) or already gone: it stays.
      }
    }
    return report;
  }

  private savePre(sha: string, data: Buffer): void {
    const file = this.folder.path(`pre/${sha}`);
    if (!existsSync(file)) writeFileAtomicSync(file, data, this.folder.fileRel(`pre/${sha}`));
  }

  private missingDirs(abs: string): string[] {
    const out: string[] = [];
    for (let d = dirname(abs); d !== this.folder.root && !existsSync(d); d = dirname(d)) out.push(relative(this.folder.root, d).split('\\').join('/'));
    return out;
  }

  private save(): void {
    this.folder.writeJson(FILES_JSON, this.manifest);
  }
}

/** The file's bytes, undefined when there is none; a folder where a file should be is an error. */
function readIfFile(abs: string, rel: string): Buffer | undefined {
  try {
    if (statSync(abs).isDirectory()) throw new DfError('conflict', `${rel} is a folder, not a file`, 'give the path of a file inside it', { file: rel });
    return readFileSync(abs);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    if (e instanceof DfError) throw e;
    throw ioError('read', rel, e);
  }
}
