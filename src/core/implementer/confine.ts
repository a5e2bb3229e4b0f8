import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, posix, relative, resolve, sep, win32 } from 'node:path';
import picomatch from 'picomatch';
import { errnoCode } from '../errors';

/**
 * Where the model may read and write (docs/formats.md, "The Implementer"). Every path a tool
 * receives passes through `confine` first; a refusal is a message the model can act on, never
 * an exception, so the loop tells the model and carries on.
 */
export type Refusal =
  | 'empty'
  | 'nul'
  | 'absolute'
  | 'traversal'
  | 'root'
  | 'protected'
  | 'symlink-escape'
  | 'outside-scope';

export type Confined = { readonly ok: true; readonly rel: string; readonly abs: string } | { readonly ok: false; readonly reason: Refusal; readonly rel: string; readonly message: string };

export interface ConfineOptions {
  /** The repository root (absolute). */
  readonly root: string;
  /** The change's scope.paths: files, folders and globs, relative to the root. */
  readonly scope: readonly string[];
  /** The change, for messages. */
  readonly chId: string;
}

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * Never writable by the model, wherever the scope points: git's own data (also a nested
 * `.git`), the audit log, Dynaforge's settings and state, every change record, and the
 * Implementer's run folders (the pre-images that `implement abort` restores from).
 */
export function protectedWhy(rel: string): string | undefined {
  const parts = rel.split('/');
  const lower = parts.map((p) => p.toLowerCase());
  if (lower.includes('.git')) return 'git data (.git/) is never writable';
  if (lower[0] === 'audit') return 'the audit log (audit/) is append-only and written by Dynaforge alone';
  if (lower[0] === '.dynaforge') return 'Dynaforge settings and state (.dynaforge/) are not writable by the model';
  if (lower[0] === 'changes' && parts.length === 3 && lower[2] === 'change.yaml') return 'change records (changes/*/change.yaml) are written by Dynaforge commands, not by the model';
  if (lower[0] === 'artifacts' && lower[1] === 'work') return 'the Implementer run folders (artifacts/work/) hold the pre-images abort restores from';
  return undefined;
}

/** A matcher for scope.paths: a file is itself, a folder everything below it, a glob what it matches; `.` is everything. */
export function scopeMatcher(scope: readonly string[]): (rel: string) => boolean {
  const tests = scope.map((raw) => {
    const p = raw.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '') || '.';
    if (p === '.') return () => true;
    if (GLOB_CHARS.test(p)) {
      const isMatch = picomatch(p, { dot: true });
      return (rel: string) => isMatch(rel);
    }
    return (rel: string) => rel === p || rel.startsWith(`${p}/`);
  });
  return (rel) => tests.some((t) => t(rel));
}

/** The path as the model gave it, lexically checked: repository-relative, no `..`, not absolute. */
function lexical(raw: string): { ok: true; rel: string } | { ok: false; reason: Refusal; rel: string; message: string } {
  const p = raw.replace(/\\/g, '/');
  const refuse = (reason: Refusal, message: string) => ({ ok: false as const, reason, rel: p, message });
  if (p.trim() === '') return refuse('empty', 'the path is empty: give a file path relative to the repository root, e.g. src/index.ts');
  if (p.includes('\0')) return refuse('nul', `the path "${p.replace(/\0/g, '\\0')}" contains a NUL byte: remove it`);
  if (p.startsWith('/') || isAbsolute(raw) || win32.isAbsolute(raw)) return refuse('absolute', `"${p}" is an absolute path: absolute paths are refused; give it relative to the repository root, e.g. src/index.ts`);
  if (p.split('/').includes('..')) return refuse('traversal', `"${p}" contains "..": paths that climb up are refused; give the path from the repository root without ..`);
  const rel = posix.normalize(p).replace(/^\.\//, '').replace(/\/+$/, '');
  if (rel === '' || rel === '.') return { ok: true, rel: '.' };
  return { ok: true, rel };
}

/**
 * Checks a path for reading (anywhere in the repository except git data) or writing (inside
 * the change's scope, never a protected path). Symlinks are resolved on the part of the path
 * that exists: a link leading out of the repository is refused, and a link inside it is
 * judged by where it leads as well as by its own name.
 */
export function confine(opts: ConfineOptions, raw: string, mode: 'read' | 'write'): Confined {
  const lex = lexical(raw);
  if (!lex.ok) return lex;
  const rel = lex.rel;
  const refuse = (reason: Refusal, message: string): Confined => ({ ok: false, reason, rel, message });
  if (mode === 'write' && rel === '.') return refuse('root', 'give a file path, not the repository root');

  const realRoot = realpathSync(opts.root);
  const abs = resolve(opts.root, rel);
  let real: string;
  try {
    real = realpathOfExisting(abs);
  } catch (e) {
    if (errnoCode(e) === 'ELOOP') return refuse('symlink-escape', `"${rel}" goes through a symlink loop: refused`);
    throw e;
  }
  const realRel = relative(realRoot, real);
  if (realRel === '..' || realRel.startsWith(`..${sep}`) || isAbsolute(realRel)) {
    return refuse('symlink-escape', `"${rel}" leads through a symlink to a place outside the repository: refused; write to the real location inside the repository instead`);
  }
  const targets = [...new Set([rel, realRel.split(sep).join('/') || '.'])];

  if (mode === 'read') {
    const gitData = targets.find((t) => t.split('/').some((s) => s.toLowerCase() === '.git'));
    return gitData ? refuse('protected', `"${rel}" is git data (.git/), which the Implementer does not read`) : { ok: true, rel, abs };
  }
  for (const t of targets) {
    const why = protectedWhy(t);
    if (why) return refuse('protected', `"${rel}"${t !== rel ? ` (a symlink to ${t})` : ''} is protected: ${why}. Write code and tests only`);
  }
  const inScope = scopeMatcher(opts.scope);
  const outside = targets.find((t) => !inScope(t));
  if (outside !== undefined) {
    const scope = opts.scope.length ? opts.scope.join(', ') : '(none: scope.paths is empty)';
    return refuse(
      'outside-scope',
      `"${rel}"${outside !== rel ? ` (a symlink to ${outside})` : ''} is outside the scope of ${opts.chId} (${scope}): not written. Write only inside the scope; if this file really must change, say so in your final answer — widening the scope needs a person's approval`,
    );
  }
  return { ok: true, rel, abs };
}

/**
 * realpath of the longest existing prefix of `p`, with the missing rest appended. A dangling
 * symlink is followed to where it points (a write would create its target), and a symlink
 * loop is an error.
 */
export function realpathOfExisting(p: string, depth = 0): string {
  if (depth > 40) throw Object.assign(new Error(`too many symlinks at ${p}`), { code: 'ELOOP' });
  try {
    return realpathSync(p);
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    const link = danglingTarget(p);
    if (link !== undefined) return realpathOfExisting(link, depth + 1);
    const parent = resolve(p, '..');
    if (parent === p) return p;
    return resolve(realpathOfExisting(parent, depth + 1), basename(p));
  }
}

function danglingTarget(p: string): string | undefined {
  try {
    return lstatSync(p).isSymbolicLink() ? resolve(dirname(p), readlinkSync(p)) : undefined;
  } catch {
    return undefined;
  }
}
