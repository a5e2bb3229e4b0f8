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
  banner: { js: '#!/usr/bin/env node' },
  external: ['vscode'],
  logLevel: 'warning',
});
