import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DfError, errnoCode } from '../errors';

/**
 * The absolute path of `rel` (a repository-relative path from config.yaml), refusing anything
 * that leaves the repository: absolute paths, `..` escapes, and symbolic links pointing out.
 * `field` names the config key at fault in the error.
 */
export function confinedPath(root: string, rel: string, field: string): string {
  const fix = `make ${field} a path inside the repository, relative to its root (e.g. \`.\` or \`packages/app\`)`;
  const where = { file: '.dynaforge/config.yaml', field };
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.startsWith('\\')) {
    throw new DfError('usage', `${field} is absolute (${rel}); it must be relative to the repository`, fix, where);
  }
  const abs = resolve(root, rel);
  if (!inside(resolve(root), abs)) throw new DfError('usage', `${field} (${rel}) leaves the repository`, fix, where);
  const real = realOrSelf(abs);
  if (!inside(realOrSelf(resolve(root)), real)) {
    throw new DfError('usage', `${field} (${rel}) is a link to a folder outside the repository`, fix, where);
  }
  return abs;
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!isAbsolute(r) && r !== '..' && !r.startsWith(`..${sep}`));
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') return p;
    const parent = resolve(p, '..');
    return parent === p ? p : resolve(realOrSelf(parent), relative(parent, p));
  }
}
