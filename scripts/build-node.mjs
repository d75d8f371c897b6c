// Bundles the plain-Node entries (CLI with `serve`) into dist/ with esbuild.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });
// Benchmarks are bundled too, so `npm run bench` measures the same code `serve` runs.
const benches = Object.fromEntries(
  readdirSync(`${root}/bench`)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => [`bench/${f.replace(/\.bench\.ts$/, '')}`, `bench/${f}`]),
);
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src-main/cli/entry.ts', 'tools/api-doc': 'src-main/tools/api-doc-main.ts', ...benches },
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
