// Keeps a Node build and an Electron build of better-sqlite3 side by side under
// native/<runtime>-<abi>/better_sqlite3.node; src-main/core/db/native-binding.ts picks one at run time.
//
//   node scripts/native-binding.mjs node       copy the Node build npm made (postinstall)
//   node scripts/native-binding.mjs electron   build for the installed Electron into native/electron-<abi>/
//                                               (needs Electron's headers from electronjs.org, once)
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
const built = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
const mode = process.argv[2] ?? 'node';

if (mode === 'node') {
  if (!existsSync(built)) {
    console.warn('native-binding: better-sqlite3 has no build yet; nothing to copy');
    process.exit(0);
  }
  const dir = join(root, 'native', `node-${process.versions.modules}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(built, join(dir, 'better_sqlite3.node'));
  console.log(`native-binding: Node build (ABI ${process.versions.modules}) in ${dir}`);
} else if (mode === 'electron') {
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const abiFile = join(root, 'node_modules', 'electron', 'abi_version');
  const abi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : undefined;
  const dir = abi ? join(root, 'native', `electron-${abi}`) : undefined;
  if (dir && existsSync(join(dir, 'better_sqlite3.node'))) {
    console.log(`native-binding: Electron build present in ${dir}`);
    process.exit(0);
  }
  // Build in a copy so node_modules keeps the Node build that `npm test` uses.
  const work = mkdtempSync(join(tmpdir(), 'da-native-'));
  cpSync(pkgDir, join(work, 'better-sqlite3'), { recursive: true, filter: (src) => !src.includes(`${join('build', 'Release')}`) });
  const gyp = require.resolve('node-gyp/bin/node-gyp.js');
  execFileSync(process.execPath, [gyp, 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], {
    cwd: join(work, 'better-sqlite3'),
    stdio: 'inherit',
  });
  const out = join(work, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  const target = dir ?? join(root, 'native', `electron-${electronVersion}`);
  mkdirSync(target, { recursive: true });
  copyFileSync(out, join(target, 'better_sqlite3.node'));
  rmSync(work, { recursive: true, force: true });
  console.log(`native-binding: Electron ${electronVersion} build in ${target}`);
} else {
  console.error(`native-binding: unknown mode '${mode}' (node | electron)`);
  process.exit(2);
}
