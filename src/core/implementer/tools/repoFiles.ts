import { glob } from 'tinyglobby';

/** Never listed or searched: git data, dependencies, Dynaforge's per-working-copy state and the run folders. */
function hidden(rel: string): boolean {
  const parts = rel.split('/');
  return parts.some((p) => p === '.git' || p === 'node_modules') || rel.startsWith('artifacts/work/') || rel.startsWith('.dynaforge/state/');
}

/**
 * The files under `dir` (repository-relative, `.` for all), optionally matching `pattern`
 * (a glob relative to the repository root), sorted, at most `max`. Symlinks are neither
 * followed nor listed (a link out of the repository would show what is not ours).
 */
export async function repoFiles(root: string, dir: string, pattern: string | undefined, max: number): Promise<{ files: string[]; truncated: boolean }> {
  const prefix = dir === '.' ? '' : `${dir}/`;
  const found = await glob([pattern ?? `${prefix}**/*`], {
    cwd: root,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    ignore: ['**/.git/**', '**/node_modules/**'],
  });
  const files = found
    .map((f) => f.replace(/\\/g, '/'))
    .filter((f) => !hidden(f) && f.startsWith(prefix) && !f.split('/').includes('..'))
    .sort();
  return { files: files.slice(0, max), truncated: files.length > max };
}
