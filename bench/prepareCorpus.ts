// Builds (or reuses) the benchmark corpus under .bench/corpus and resets it to its last commit,
// for benchmarks that open it elsewhere (the editor benchmark, `make bench-editor`).
import { join } from 'node:path';
import { ensureCorpus, resetCorpus } from './corpus';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '.bench', 'corpus');
  const corpus = await ensureCorpus(root, process.env.DF_BENCH_REBUILD === '1');
  resetCorpus(root);
  console.log(`${corpus.reused ? 'reusing' : 'built'} ${root}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
