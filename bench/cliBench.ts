/**
 * Times the built CLI (dist/cli.js) on the corpus, as a user would run it: each command a
 * fresh `node` process, so start-up counts. Peak memory (maxRSS) comes from a tiny preload
 * that reports process.resourceUsage() as the process exits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { figure } from './figures';

/** The environment of every timed command: a frozen clock and a git identity. */
export const CLI_ENV = {
  DYNAFORGE_NOW: '2026-11-21T09:00:00Z',
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident memory of the process, in bytes (undefined if it did not report). */
  readonly rss?: number;
}

/** Builds dist/cli.js when it is missing or older than a file under src/ (unless DF_BENCH_NO_BUILD=1). */
export function ensureBuilt(repo: string): void {
  const cli = join(repo, 'dist', 'cli.js');
  if (process.env.DF_BENCH_NO_BUILD === '1' && existsSync(cli)) return;
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  if (built >= newest(join(repo, 'src'))) return;
  console.log('dist/cli.js is older than src/: building it (npm run -s build)');
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) {
    if (!existsSync(cli)) throw new Error(`the build failed and there is no dist/cli.js:\n${r.stderr}`);
    console.log(`the build failed (someone's work in progress?); timing the existing dist/cli.js:\n${r.stderr.trim().split('\n').slice(0, 5).join('\n')}`);
  }
}

function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

export class Cli {
  private readonly probe: string;
  private readonly rssFile: string;

  constructor(
    private readonly repo: string,
    private readonly corpus: string,
    scratch: string,
  ) {
    mkdirSync(scratch, { recursive: true });
    this.probe = join(scratch, 'rss-probe.cjs');
    this.rssFile = join(scratch, 'rss.txt');
    // VmHWM, not resourceUsage().maxRSS: on Linux a spawned child's maxRSS starts from its
    // parent's (the bench's) peak, which would hide the command's own.
    writeFileSync(
      this.probe,
      `process.on('exit', () => {
  const fs = require('node:fs');
  let bytes = process.resourceUsage().maxRSS * 1024;
  try { bytes = Number(/VmHWM:\\s*(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch {}
  try { fs.writeFileSync(process.env.DF_BENCH_RSS_FILE, String(bytes)); } catch {}
});
`,
    );
  }

  run(args: readonly string[]): CliRun {
    rmSync(this.rssFile, { force: true });
    const env = { ...process.env, ...CLI_ENV, DF_BENCH_RSS_FILE: this.rssFile, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--require', this.probe, join(this.repo, 'dist', 'cli.js'), ...args, '-C', this.corpus], { env, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    const ms = performance.now() - t;
    const rss = existsSync(this.rssFile) ? Number(readFileSync(this.rssFile, 'utf8')) : undefined;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms, ...(rss ? { rss } : {}) };
  }

  /** Runs a command that must succeed (exit 0, or 1 when `findingsOk`) and prints its figure. */
  timed(name: string, args: readonly string[], count: number, unit: string, findingsOk = false): CliRun {
    const r = this.run(args);
    if (!(r.status === 0 || (findingsOk && r.status === 1))) throw new Error(`dynaforge ${args.join(' ')} exited ${r.status}:\n${r.stderr || r.stdout.slice(0, 2000)}`);
    figure(name, count, r.ms, unit, rssText(r));
    return r;
  }
}

export function rssText(r: CliRun): string {
  return r.rss ? `rss ${(r.rss / 2 ** 20).toFixed(0)} MiB` : '';
}

/** Whether the CLI said it does not know the command (so the build predates it). */
export function isUnknownCommand(r: CliRun): boolean {
  return r.status === 2 && /unknown command/i.test(r.stderr);
}
