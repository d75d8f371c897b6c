import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { _electron, type ElectronApplication } from 'playwright-core';
import { join } from 'node:path';
import { ROOT } from './serve-process';

/**
 * The Electron executable, found as node_modules/electron/index.js finds it but without its
 * fallback of downloading one (requiring 'electron' in Node would start a download). A reason
 * is given when there is none, for the skipped test to say.
 */
export function findElectron(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { missing: 'no Electron binary: node_modules/electron/path.txt is missing (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or the download failed)' };
  }
  const name = readFileSync(pathFile, 'utf8').trim();
  const exe = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, name) : join(dir, 'dist', name);
  if (!existsSync(exe)) return { missing: `no Electron binary: ${exe} is missing` };
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { missing: 'no display for the Electron window (run under Xvfb; npm test starts one)' };
  return { path: exe };
}

/**
 * What `npm start` does, then launches: bundle main, preload and renderer, make the Electron build
 * of better-sqlite3 (kept beside the Node build, see docs/decisions/0003), start the built app.
 */
export function buildAndLaunchApp(electronPath: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ElectronApplication> {
  const node = process.execPath;
  execFileSync(node, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'ignore' });
  execFileSync(node, [join(ROOT, 'scripts', 'native-binding.mjs'), 'electron'], { cwd: ROOT, stdio: 'ignore' });
  return _electron.launch({ executablePath: electronPath, args: [ROOT, ...args], cwd: ROOT, env: env as Record<string, string> });
}
