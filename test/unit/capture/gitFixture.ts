import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A throw-away git repository for the capture tests, driven with execFile (no shell). */
export class GitFixture {
  constructor(readonly dir: string) {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.name', 'Ada Tester');
    this.git('config', 'user.email', 'ada@example.invalid');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: this.dir, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C.UTF-8' } }).trim();
  }

  write(rel: string, content: string | Buffer): void {
    mkdirSync(dirname(join(this.dir, rel)), { recursive: true });
    writeFileSync(join(this.dir, rel), content);
  }

  /** Writes the files, stages everything and commits; returns the new sha. */
  commit(message: string, files: Record<string, string | Buffer> = {}): string {
    for (const [rel, content] of Object.entries(files)) this.write(rel, content);
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}
