import { describe, expect, it } from 'vitest';
import { electronProblem } from './electron-check.mjs';

const DIR = '/repo/node_modules/electron';
const BIN = `${DIR}/dist/electron`;

/** A machine described by which files exist, what path.txt says and what the binary does. */
function machine({ files = [`${DIR}/package.json`, BIN], pathTxt = 'electron', platform = 'linux', env = { DISPLAY: ':0' }, run = { status: 0, stderr: '' } } = {}) {
  const ran = [];
  const problem = electronProblem({
    electronDir: DIR,
    platform,
    env,
    readPathTxt: () => pathTxt ?? undefined,
    exists: (f) => files.includes(f),
    runBinary: (f) => (ran.push(f), run),
  });
  return { problem, ran };
}

describe('npm start: can Electron run here?', () => {
  it('goes ahead when the binary is there, runs, and there is a display', () => {
    expect(machine()).toEqual({ problem: undefined, ran: [BIN] });
    expect(machine({ platform: 'darwin', env: {} }).problem).toBeUndefined();
    expect(machine({ env: { WAYLAND_DISPLAY: 'wayland-0' } }).problem).toBeUndefined();
  });

  it('stops in one line pointing to npm run serve when the binary was never downloaded', () => {
    for (const m of [machine({ pathTxt: null }), machine({ files: [`${DIR}/package.json`] })]) {
      expect(m.problem).toBe('npm start: the Electron binary was not downloaded (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or offline); `npm run serve` gives the same app in a browser (http://127.0.0.1:8000/)');
      expect(m.ran).toEqual([]);
    }
  });

  it('stops when Electron is not installed at all, or there is no display on Linux', () => {
    expect(machine({ files: [] }).problem).toMatch(/^npm start: Electron is not installed \(no \/repo\/node_modules\/electron; run npm install\); `npm run serve` gives the same app/);
    const headless = machine({ env: {} });
    expect(headless.problem).toMatch(/^npm start: no display to open a window on \(neither DISPLAY nor WAYLAND_DISPLAY is set\); `npm run serve`/);
    expect(headless.ran).toEqual([]);
  });

  it('stops with the first line of the binary\'s complaint when it cannot run (a missing library)', () => {
    const m = machine({ run: { status: 127, stderr: 'electron: error while loading shared libraries: libnss3.so: cannot open shared object file\nmore\n' } });
    expect(m.problem).toBe('npm start: Electron cannot run here (electron: error while loading shared libraries: libnss3.so: cannot open shared object file); `npm run serve` gives the same app in a browser (http://127.0.0.1:8000/)');
    expect(m.problem).not.toContain('\n');
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as Electron itself does', () => {
    const m = machine({ pathTxt: null, files: [`${DIR}/package.json`, '/opt/electron/electron'], env: { DISPLAY: ':1', ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' } });
    expect(m).toEqual({ problem: undefined, ran: ['/opt/electron/electron'] });
  });
});
