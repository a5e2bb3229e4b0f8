// Bundles the CLI with esbuild into dist/cli.js (CommonJS, Node 20). The extension bundle
// joins here with the VS Code face.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Some dependencies ship ESM that reads import.meta.url; give the CJS bundle its own file URL.
  banner: { js: "#!/usr/bin/env node\nconst __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
  external: ['vscode'],
  logLevel: 'warning',
});
