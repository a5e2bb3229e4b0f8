import type { GitHistory, StreamedHash } from '../repo/gitHistory';
import type { EvidenceFile, FileStatus } from '../schema/evidence';
import type { CaptureSource } from './range';

const ZERO_OID = /^0+$/;
const STATUS: Record<string, FileStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed', U: 'unmerged' };

/**
 * The options every diff of a capture runs with, so the bytes hashed do not depend on the
 * user's git config (colour, external diff drivers, textconv, prefixes) and renames are
 * detected the same way each time. `--relative`: paths (and the diff) are those of the project
 * folder, which may sit below the top of the git working tree.
 */
const STABLE = ['--relative', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--src-prefix=a/', '--dst-prefix=b/'];

/** `git diff` arguments (after the format options) for a source: only our own full shas, then `--`. */
function target(source: CaptureSource): string[] {
  if (source.kind === 'range') return [source.base, source.to, '--'];
  if (source.kind === 'staged') return ['--cached', source.base, '--'];
  return [source.base, '--'];
}

/** sha256 and size of the full binary patch, streamed through the hash (never held in memory). */
export function diffHash(h: GitHistory, source: CaptureSource): Promise<StreamedHash> {
  return h.streamHash(['diff', '--binary', '--full-index', ...STABLE, ...target(source)]);
}

/**
 * The files a source changes: status, the old path of a rename or copy, line counts (none
 * for binary files) and the git blob ids before and after. Output of `-z` formats is one
 * line per file, so memory grows with the number of files, not the size of the diff.
 */
export async function diffFiles(h: GitHistory, source: CaptureSource): Promise<EvidenceFile[]> {
  const [raw, numstat] = await Promise.all([
    h.raw(['diff', '--raw', '-z', '--no-abbrev', ...STABLE, ...target(source)]),
    h.raw(['diff', '--numstat', '-z', ...STABLE, ...target(source)]),
  ]);
  const counts = parseNumstat(numstat);
  const files = parseRaw(raw).map((f): EvidenceFile => {
    const c = counts.get(f.path);
    const binary = c?.binary ?? false;
    return {
      path: f.path,
      ...(f.old_path ? { old_path: f.old_path } : {}),
      status: f.status,
      binary,
      ...(c && !binary ? { additions: c.additions, deletions: c.deletions } : {}),
      ...(f.before ? { blob_before: f.before } : {}),
      ...(f.after ? { blob_after: f.after } : {}),
    };
  });
  if (source.kind === 'working') await fillWorkingBlobs(h, files);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface RawEntry {
  path: string;
  old_path?: string;
  status: FileStatus;
  before?: string;
  after?: string;
}

/** `:old-mode new-mode old-oid new-oid STATUS\0path\0` (two paths for renames and copies). */
export function parseRaw(text: string): RawEntry[] {
  const tokens = text.split('\0');
  const out: RawEntry[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i] as string;
    if (!meta.startsWith(':')) continue;
    const [, , before = '', after = '', code = ''] = meta.slice(1).split(' ');
    const letter = code.charAt(0);
    const status = STATUS[letter] ?? 'modified';
    const twoPaths = letter === 'R' || letter === 'C';
    const first = tokens[++i] ?? '';
    const second = twoPaths ? (tokens[++i] ?? '') : undefined;
    out.push({
      path: second ?? first,
      ...(second !== undefined ? { old_path: first } : {}),
      status,
      ...(ZERO_OID.test(before) ? {} : { before }),
      ...(ZERO_OID.test(after) ? {} : { after }),
    });
  }
  return out;
}

/** `added\tdeleted\tpath\0`, or `added\tdeleted\t\0old\0new\0` for a rename; `-\t-` for binary. */
export function parseNumstat(text: string): Map<string, { additions: number; deletions: number; binary: boolean }> {
  const tokens = text.split('\0');
  const out = new Map<string, { additions: number; deletions: number; binary: boolean }>();
  for (let i = 0; i < tokens.length; i++) {
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(tokens[i] as string);
    if (!m) continue;
    let path = m[3] as string;
    if (path === '') {
      i += 2; // old path, then new path
      path = tokens[i] ?? '';
    }
    const binary = m[1] === '-' && m[2] === '-';
    out.set(path, { additions: binary ? 0 : Number(m[1]), deletions: binary ? 0 : Number(m[2]), binary });
  }
  return out;
}

/** Working-tree files have no blob yet: git hashes them (streaming the file itself), in batches. */
async function fillWorkingBlobs(h: GitHistory, files: EvidenceFile[]): Promise<void> {
  const need = files.filter((f) => f.status !== 'deleted' && !f.blob_after);
  for (let i = 0; i < need.length; i += 200) {
    const batch = need.slice(i, i + 200);
    const oids = (await h.raw(['hash-object', '--', ...batch.map((f) => f.path)])).split('\n').map((l) => l.trim()).filter(Boolean);
    batch.forEach((f, j) => {
      const oid = oids[j];
      if (oid) f.blob_after = oid;
    });
  }
}
