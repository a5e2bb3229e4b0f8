import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { DfError, errnoCode } from '../errors';

/**
 * Writes `data` to `file` atomically (temp file + fsync + rename): readers see the old
 * content or the new, never half of either. Parent folders are created.
 */
export function writeFileAtomicSync(file: string, data: string | Buffer, displayPath = file): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic.sync(file, data, { fsync: true });
  } catch (e) {
    throw ioError('write', displayPath, e);
  }
}

/** The file's text, or undefined when it does not exist. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw ioError('read', file, e);
  }
}

export function ioError(op: 'read' | 'write' | 'create' | 'delete', displayPath: string, e: unknown): DfError {
  const code = errnoCode(e);
  const fix =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `make ${displayPath} (and its folder) writable, e.g. \`chmod u+w\`, then retry`
      : code === 'ENOSPC'
        ? 'free some disk space, then retry'
        : 'check the path and retry';
  return new DfError('io', `cannot ${op} ${displayPath}: ${code ?? String(e)}`, fix, { file: displayPath }, { cause: e });
}
