// Bundles the extension-host tests (test/extension/*.ts) into out/test/extension/, one file
// per entry: mocha loads each suite by path inside the extension host; the editor benchmark
// (bench/editor/) likewise into out/bench/editor/. Also builds the
// test-only offline model extension (test/e2e/offlineModel/) into out/test/offlineModel/,
// ready for `vsce package`.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'test', 'extension');
// Entries: the suites (*.test.ts) and the runners mocha is started through (index.ts, restrictedIndex.ts).
const entries = readdirSync(src).filter((f) => f.endsWith('.test.ts') || /^(index|restrictedIndex)\.ts$/.test(f));

// CommonJS bundles for the extension host; vscode is the host's own module.
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], logLevel: 'warning' };
await build({
  ...common,
  entryPoints: entries.map((f) => join(src, f)),
  outdir: join(root, 'out', 'test', 'extension'),
  sourcemap: 'inline',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The editor benchmark (bench/editor/): the same way, into out/bench/editor/.
await build({ ...common, entryPoints: ['index.ts', 'editorBench.test.ts'].map((f) => join(root, 'bench', 'editor', f)), outdir: join(root, 'out', 'bench', 'editor') });
const model = join(root, 'out', 'test', 'offlineModel');
mkdirSync(model, { recursive: true });
await build({ ...common, entryPoints: [join(root, 'test', 'e2e', 'offlineModel', 'extension.ts')], outfile: join(model, 'extension.js') });
copyFileSync(join(root, 'test', 'e2e', 'offlineModel', 'package.json'), join(model, 'package.json'));

console.log(`[e2e] built ${entries.length} extension-host test entries into out/test/extension/ and the offline test model into out/test/offlineModel/`);
