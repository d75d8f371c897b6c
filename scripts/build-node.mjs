// Bundles the plain-Node entries (CLI with `serve`) into dist/ with esbuild.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src-main/cli/entry.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  loader: { '.sql': 'text' },
  alias: { '@shared': './src-shared' },
  logLevel: 'warning',
});
console.log('built dist/cli.js');
