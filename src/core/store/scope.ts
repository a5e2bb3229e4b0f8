import { realpathSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep, win32 } from 'node:path';
import { DfError, errnoCode } from '../errors';

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * Validates and normalises `--scope` paths (files, folders or globs, relative to the
 * repository root). Refused: absolute paths, paths that climb out with `..`, and paths
 * whose existing part resolves through a symlink to somewhere outside the repository.
 */
export function normalizeScopePaths(root: string, paths: readonly string[], field = 'scope.paths'): string[] {
  const realRoot = realpathSync(root);
  const out: string[] = [];
  paths.forEach((raw, i) => {
    const where = { field: `${field}[${i}]` };
    const p = raw.trim().replace(/\\/g, '/');
    const fail = (why: string, fix: string) => new DfError('invalid-scope', `scope path "${raw}" ${why}`, fix, where);
    if (!p) throw fail('is empty', 'give a path relative to the repository root, e.g. src/auth');
    if (p.includes('\0')) throw fail('contains a NUL byte', 'remove it');
    if (isAbsolute(p) || win32.isAbsolute(raw) || p.startsWith('/')) {
      throw fail('is absolute', `give it relative to the repository root (${root}), e.g. src/auth`);
    }
    const norm = posix.normalize(p).replace(/\/+$/, '') || '.';
    if (norm === '..' || norm.startsWith('../')) throw fail('escapes the repository', 'scope paths must stay inside the repository; remove the ../');
    // Check the part before any glob character: if it exists, it must resolve inside the repository.
    const staticPart = norm.split('/').filter((_, idx, parts) => !parts.slice(0, idx + 1).some((seg) => GLOB_CHARS.test(seg))).join('/');
    const real = realpathOfExisting(resolve(root, staticPart || '.'));
    const rel = relative(realRoot, real);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw fail(`resolves through a symlink to ${real}, outside the repository`, 'point the scope at the real location inside the repository, or remove the symlink');
    }
    if (!out.includes(norm)) out.push(norm);
  });
  return out;
}

/** realpath of the longest existing prefix of `p`, with the missing rest appended. */
function realpathOfExisting(p: string): string {
  try {
    return realpathSync(p);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') throw e;
    const parent = resolve(p, '..');
    if (parent === p) return p;
    return resolve(realpathOfExisting(parent), posix.basename(p));
  }
}
