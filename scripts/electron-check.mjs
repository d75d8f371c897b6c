// `npm start` runs this first: where Electron cannot run, say so in one line and point to
// `npm run serve` before spending a minute building better-sqlite3 for Electron.
//
//   node scripts/electron-check.mjs      exit 0 when Electron can start here, else 1 with one line
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVE = '`npm run serve` gives the same app in a browser (http://127.0.0.1:8000/)';

/**
 * Why Electron cannot start here, or undefined when it can. Pure apart from the probes passed in:
 * `readPathTxt()` (node_modules/electron/path.txt, written when the binary was downloaded),
 * `exists(file)`, and `runBinary(file)` → {status, stderr} (the binary run as Node, so a missing
 * shared library shows without needing a display).
 */
export function electronProblem({ electronDir, platform, env, readPathTxt, exists, runBinary }) {
  if (!exists(join(electronDir, 'package.json'))) return `npm start: Electron is not installed (no ${electronDir}; run npm install); ${SERVE}`;
  const name = env.ELECTRON_OVERRIDE_DIST_PATH ? undefined : readPathTxt();
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, 'electron') : name ? join(electronDir, 'dist', name) : undefined;
  if (!binary || !exists(binary)) {
    return `npm start: the Electron binary was not downloaded (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or offline); ${SERVE}`;
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return `npm start: no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set); ${SERVE}`;
  const run = runBinary(binary);
  if (run.status !== 0) {
    const reason = (run.stderr || `exit status ${run.status}`).trim().split('\n')[0];
    return `npm start: Electron cannot run here (${reason}); ${SERVE}`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const electronDir = fileURLToPath(new URL('../node_modules/electron', import.meta.url));
  const problem = electronProblem({
    electronDir,
    platform: process.platform,
    env: process.env,
    readPathTxt: () => (existsSync(join(electronDir, 'path.txt')) ? readFileSync(join(electronDir, 'path.txt'), 'utf8').trim() : undefined),
    exists: existsSync,
    runBinary: (file) => {
      const r = spawnSync(file, ['--version'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 30_000 });
      return { status: r.error ? -1 : r.status, stderr: r.error ? r.error.message : r.stderr };
    },
  });
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
