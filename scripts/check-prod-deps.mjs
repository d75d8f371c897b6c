// Fails when code a production install runs imports a package that is not in `dependencies`
// (a devDependency is pruned by `npm ci --omit=dev` and by electron-builder).
// Follows the import graph from the shipped entries: dist/cli.js (`serve` and the CLI) and
// out/main/index.js + out/preload/preload.cjs (Electron), or their sources when out/main is not built.
//
//   node scripts/check-prod-deps.mjs          prints every bare import with the file that makes it
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
// Electron's main and preload get `electron` from the runtime itself, not from node_modules.
const runtimeProvided = { electron: new Set(['electron']), node: new Set() };

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const isBare = (s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]);

/** Bare imports reachable from the entries: esbuild's metafile for import/require, plus require.resolve("x") literals. */
async function bareImports(entryPoints) {
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    write: false,
    metafile: true,
    outdir: '/tmp/da-check-prod-deps',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    loader: { '.sql': 'text', '.node': 'empty' },
    alias: { '@shared': './src-shared' },
    logLevel: 'silent',
  });
  const found = new Map();
  const note = (spec, file) => {
    if (!isBare(spec)) return;
    const name = packageOf(spec);
    if (!found.has(name)) found.set(name, new Set());
    found.get(name).add(file);
  };
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) if (imp.external) note(imp.path, file);
    const text = readFileSync(`${root}/${file}`, 'utf8');
    for (const m of text.matchAll(/\.resolve\(\s*["']([^"']+)["']\s*\)/g)) note(m[1], file);
  }
  return found;
}

const targets = [
  { name: 'serve and CLI', runtime: 'node', entries: ['dist/cli.js'] },
  existsSync(`${root}/out/main/index.js`)
    ? { name: 'Electron (out/)', runtime: 'electron', entries: ['out/main/index.js', 'out/preload/preload.cjs'].filter((f) => existsSync(`${root}/${f}`)) }
    : { name: 'Electron (sources of out/main)', runtime: 'electron', entries: ['src-main/electron/main.ts', 'src-main/preload/preload.ts'] },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(`${root}/dist/cli.js`)) {
    console.error('check-prod-deps: dist/cli.js is missing; run `npm run build` first');
    process.exit(2);
  }
  let missing = 0;
  for (const t of targets) {
    const found = await bareImports(t.entries);
    for (const [name, files] of [...found].sort()) {
      const ok = allowed.has(name) || runtimeProvided[t.runtime].has(name);
      if (!ok) missing++;
      console.log(`${ok ? 'ok     ' : 'MISSING'} ${t.name}: ${name}${ok ? '' : ` (imported by ${[...files].join(', ')}; not in package.json dependencies)`}`);
    }
  }
  if (missing > 0) {
    console.error(`check-prod-deps: ${missing} package(s) used by shipped code are not production dependencies`);
    process.exit(1);
  }
  console.log('check-prod-deps: every package the shipped code imports is a production dependency');
}
