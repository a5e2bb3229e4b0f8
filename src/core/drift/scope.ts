import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { activeEntries, evidenceRef, readEvidence } from '../capture/evidenceStore';
import type { GitHistory } from '../repo/gitHistory';
import { isDynaforgeRecord } from '../repo/layout';
import type { Change } from '../schema/change';
import type { Workspace } from '../workspace';
import { historyOf } from './gitContext';

/** A file whose evidence no longer matches the repository: changed (or deleted) after it was captured. */
export interface StaleEvidence {
  readonly path: string;
  /** `evidence.json#E-n`: the latest entry that recorded the file. */
  readonly evidence: string;
  /** The blob the evidence recorded; absent when the evidence recorded a deletion. */
  readonly recorded?: string;
  /** The blob at HEAD; absent when the file is not at HEAD (deleted). */
  readonly now?: string;
}

/**
 * The blob id of every file at HEAD (project-relative paths), read with one `git ls-tree`.
 * Built once per run and shared by every change's scope check.
 */
export class HeadTree {
  private constructor(private readonly blobs: ReadonlyMap<string, string>) {}

  static async load(h: GitHistory): Promise<HeadTree> {
    const out = await h.tryRaw(['ls-tree', '-r', '-z', 'HEAD']);
    const blobs = new Map<string, string>();
    for (const entry of (out ?? '').split('\0')) {
      // `<mode> SP <type> SP <oid> TAB <path>`
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const [, type, oid] = entry.slice(0, tab).split(' ');
      if (type === 'blob' && oid) blobs.set(entry.slice(tab + 1), oid);
    }
    return new HeadTree(blobs);
  }

  blob(path: string): string | undefined {
    return this.blobs.get(path);
  }

  get paths(): IterableIterator<string> {
    return this.blobs.keys();
  }
}

/**
 * The files of a change's evidence that moved on after the evidence was taken (scope drift,
 * DESIGN.md §5). The tool's own records (changes/, audit/, generated views) are not scope, and
 * withdrawn entries are not evidence. The latest entry recording a file is the one that
 * counts. A file whose HEAD blob differs but whose working-tree copy still matches the
 * evidence (a working-tree capture not yet committed) is not stale.
 */
export async function staleEvidence(ws: Workspace, change: Change, tree?: HeadTree): Promise<StaleEvidence[]> {
  const h = historyOf(ws);
  if (!h) return [];
  const entries = activeEntries(readEvidence(ws.layout, change.id));
  if (!entries.length) return [];
  const head = tree ?? (await HeadTree.load(h));
  const latest = new Map<string, { ref: string; blob?: string }>();
  for (const entry of entries) {
    for (const f of entry.files) if (!isDynaforgeRecord(f.path)) latest.set(f.path, { ref: evidenceRef(entry.id), ...(f.status === 'deleted' ? {} : f.blob_after ? { blob: f.blob_after } : {}) });
  }
  const candidates: StaleEvidence[] = [];
  for (const [path, rec] of latest) {
    const now = head.blob(path);
    if (now === rec.blob) continue;
    candidates.push({ path, evidence: rec.ref, ...(rec.blob ? { recorded: rec.blob } : {}), ...(now ? { now } : {}) });
  }
  const pending = await matchingWorkingCopies(ws.layout.root, h, candidates);
  return candidates.filter((c) => !pending.has(c.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Paths whose working-tree content (or absence) is exactly what the evidence recorded. */
async function matchingWorkingCopies(root: string, h: GitHistory, items: readonly StaleEvidence[]): Promise<Set<string>> {
  const same = new Set<string>();
  const present = items.filter((i) => existsSync(join(root, i.path)));
  for (const i of items) if (!i.recorded && !present.includes(i)) same.add(i.path);
  const hashed = present.filter((i) => i.recorded);
  for (let k = 0; k < hashed.length; k += 200) {
    const batch = hashed.slice(k, k + 200);
    const out = await h.tryRaw(['hash-object', '--', ...batch.map((i) => i.path)]);
    const oids = (out ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    if (oids.length !== batch.length) continue;
    batch.forEach((i, n) => {
      if (oids[n] === i.recorded) same.add(i.path);
    });
  }
  return same;
}

const GLOB_CHARS = /[*?[\]{}!]/;

/** Scope paths (files or folders, not globs) that exist neither at HEAD nor in the working tree. */
export function missingScopePaths(ws: Workspace, change: Change, tree: HeadTree | undefined): string[] {
  return change.scope.paths.filter((p) => {
    if (GLOB_CHARS.test(p) || p === '.') return false;
    if (existsSync(join(ws.layout.root, p))) return false;
    if (!tree) return true;
    if (tree.blob(p)) return false;
    const prefix = p.endsWith('/') ? p : `${p}/`;
    for (const q of tree.paths) if (q.startsWith(prefix)) return false;
    return true;
  });
}
