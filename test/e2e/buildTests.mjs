// Bundles the extension-host tests (test/extension/*.ts) into out/test/extension/, one file
// per entry: mocha loads each suite by path inside the extension host.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'test', 'extension');
const entries = readdirSync(src).filter((f) => f.endsWith('.ts') && !['helpers.ts', 'mochaRunner.ts'].includes(f));

await build({
  entryPoints: entries.map((f) => join(src, f)),
  outdir: join(root, 'out', 'test', 'extension'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  external: ['vscode'],
  logLevel: 'warning',
});
console.log(`[e2e] built ${entries.length} extension-host test entries into out/test/extension/`);
