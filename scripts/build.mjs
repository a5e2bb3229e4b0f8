// Bundles the faces with esbuild: the CLI into dist/cli.js and the VS Code extension into
// dist/extension.js (CommonJS, Node 20; `vscode` is provided by the editor at run time).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Some dependencies ship ESM that reads import.meta.url; give the CJS bundle its own file URL.
  define: { 'import.meta.url': '__importMetaUrl' },
  external: ['vscode'],
  logLevel: 'warning',
};
const importMetaUrl = "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;";
// When the extension bundle began to load: activation reports load time and activate() apart.
const loadStart = "globalThis.__dynaforgeLoadStart = require('node:perf_hooks').performance.now();";

await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: `#!/usr/bin/env node\n${importMetaUrl}` } }),
  // Minified: it is loaded on activation and shipped in the VSIX.
  build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', minify: true, banner: { js: `${loadStart}\n${importMetaUrl}` } }),
]);
