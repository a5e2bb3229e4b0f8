// Prints speed figures; targets live here, not in timed unit tests. Run with `make bench`
// (`npm run -s bench`; `-- --rebuild` or DF_BENCH_REBUILD=1 rebuilds the corpus).
//
// 1. foundation: the engine in process (.bench/foundation, rebuilt each run);
// 2. corpus: a realistic project under .bench/corpus, built once and reused (see corpus.ts);
// 3. the built CLI on that corpus, one process per command, as a user runs it.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cli, ensureBuilt, isUnknownCommand, rssText, type CliRun } from './cliBench';
import { ensureCorpus, resetCorpus, SIZES } from './corpus';
import { figure, heading, mib, targets, type Target } from './figures';
import { foundation } from './foundation';

const REPO = join(__dirname, '..');
const BENCH = join(REPO, '.bench');
const VERIFY_TARGET = 200_000;
const CHECK_WARM_TARGET_MS = 2_000;

async function main(): Promise<void> {
  const rebuild = process.argv.includes('--rebuild') || process.env.DF_BENCH_REBUILD === '1';

  heading('foundation (in process)');
  const f = await foundation(join(BENCH, 'foundation'));

  heading('corpus');
  const root = join(BENCH, 'corpus');
  let t = performance.now();
  const corpus = await ensureCorpus(root, rebuild);
  if (corpus.reused) {
    console.log('reusing .bench/corpus (its stamp matches this generator; `npm run -s bench -- --rebuild` or DF_BENCH_REBUILD=1 rebuilds it)');
  } else {
    figure('corpus build (total)', SIZES.changes, performance.now() - t, 'changes');
    for (const [name, ms] of corpus.phases) console.log(`  ${name.padEnd(46)} ${ms.toFixed(0).padStart(7)} ms`);
  }
  console.log(`  ${SIZES.changes} changes, ${SIZES.sources} source files, ${SIZES.events} audit events, ${SIZES.frs} FRs, ${SIZES.tcs} TCs, ${SIZES.commits} commits`);

  heading('CLI on the corpus (node dist/cli.js … -C .bench/corpus)');
  ensureBuilt(REPO);
  t = performance.now();
  resetCorpus(root);
  console.log(`  reset to its last commit (no state, caches or events of an earlier run): ${(performance.now() - t).toFixed(0)} ms`);
  const cli = new Cli(REPO, root, join(BENCH, 'cli'));
  cli.timed('status', ['status'], SIZES.changes, 'changes', true);
  cli.timed('list', ['list'], SIZES.changes, 'changes', true);
  cli.timed('trace (no id)', ['trace'], SIZES.frs + SIZES.tcs, 'ids', true);
  const verify = cli.run(['audit', 'verify', '--json']);
  const verified = JSON.parse(verify.stdout || '{}') as { ok?: boolean; events?: number; streams?: unknown[] };
  if (verify.status !== 0 || !verified.ok) throw new Error(`audit verify failed on the corpus (exit ${verify.status}):\n${verify.stderr || verify.stdout.slice(0, 2000)}`);
  figure(`audit verify (${verified.streams?.length ?? '?'} streams)`, verified.events ?? 0, verify.ms, 'events', rssText(verify));

  // Cold: nothing left by the commands above (a cache of theirs would make check warm).
  resetCorpus(root);
  const checks: CliRun[] = [];
  for (const label of ['check (cold)', 'check (warm)', 'check (warm, again)']) {
    const r = cli.run(['check', '--json']);
    if (isUnknownCommand(r)) {
      console.log('check: not available in this build');
      break;
    }
    if (r.status !== 0 && r.status !== 1) throw new Error(`dynaforge check exited ${r.status}:\n${r.stderr || r.stdout.slice(0, 2000)}`);
    const findings = (JSON.parse(r.stdout) as { findings?: unknown[] }).findings?.length ?? 0;
    figure(label, SIZES.changes, r.ms, 'changes', `${rssText(r)}  exit ${r.status}, ${findings} findings`);
    checks.push(r);
  }

  const warm = checks.slice(1).map((r) => r.ms);
  const list: Target[] = [
    { name: `audit verify (one stream) >= ${VERIFY_TARGET.toLocaleString('en')} events/s`, measured: `${Math.round(f.verifyRate).toLocaleString('en')} events/s`, met: f.verifyRate >= VERIFY_TARGET },
    { name: '  the same, best of 3 runs', measured: `${Math.round(f.verifyBestRate).toLocaleString('en')} events/s`, met: f.verifyBestRate >= VERIFY_TARGET },
    warm.length ? { name: `check warm < ${CHECK_WARM_TARGET_MS / 1000} s (slower of two runs)`, measured: `${Math.max(...warm).toFixed(0)} ms`, met: Math.max(...warm) < CHECK_WARM_TARGET_MS } : { name: `check warm < ${CHECK_WARM_TARGET_MS / 1000} s`, measured: 'check not available' },
  ];
  targets(list);
  const mem = process.memoryUsage();
  console.log(`\nbench process: rss ${mib(mem.rss)}, heap used ${mib(mem.heapUsed)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
