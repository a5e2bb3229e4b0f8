import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder of the installed dynaforge package (holding templates/). Found by walking up
 * from this module, which works from the sources (tsx), the CLI bundle (dist/) and, later,
 * the extension bundle.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'templates', 'project'))) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dynaforge') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the dynaforge package (templates/) above ${__dirname}`);
    dir = up;
  }
}

/** Text of a file shipped under the package's templates/ folder. */
export function packageTemplate(relPath: string): string {
  return readFileSync(join(packageRoot(), 'templates', relPath), 'utf8');
}
