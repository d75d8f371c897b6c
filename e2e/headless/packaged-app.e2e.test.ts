import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from '../support/serve-process';

/**
 * Issue 17 item 4: the app as electron-builder packages it, without an Electron download.
 * scripts/packaged-layout.mjs stages the layout from electron-builder.yml's own file lists and the
 * production dependencies, then starts out/main/app-core.js (what out/main/index.js starts) under
 * plain Node. The Electron launch of the same layout is in e2e/electron/packaged-app.e2e.test.ts.
 */

const builderFile = join(ROOT, 'electron-builder.yml');
const builder = parse(readFileSync(builderFile, 'utf8')) as Record<string, { target?: unknown; icon?: string } | unknown>;
const scratch = mkdtempSync(join(tmpdir(), 'da-packaged-test-'));

function smoke(args: string[] = []) {
  const entry = join(ROOT, 'out', 'main', 'app-core.js');
  if (!existsSync(entry)) throw new Error('out/main/app-core.js is missing: run `npm run build` before the e2e tests (npm test does)');
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'packaged-layout.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packaged app', { timeout: 320_000 }, () => {
  it('starts from the packaged layout under plain Node through the app’s own core entry: /healthz answers and a one-step run finishes', () => {
    const r = smoke();
    expect(r.stderr).toMatch(/staged \d+ files and \d+ production packages/);
    expect(r.stderr).toMatch(/the app's core answered http:\/\/127\.0\.0\.1:\d+\/healthz/);
    expect(r.stderr).toMatch(/a one-step run through the API succeeded \(run_\w+\)/);
    expect(r.stderr).toContain('ok: the packaged layout starts the app');
    expect(r.status).toBe(0);
  });

  it('fails, naming the file, when electron-builder’s file list leaves out what the start needs', () => {
    const withoutOut = { ...(builder as object), files: ['configs/**', 'native/**'] };
    const file = join(scratch, 'electron-builder-without-out.yml');
    writeFileSync(file, stringify(withoutOut));
    const r = smoke(['--builder-config', file]);
    expect(r.stderr).toMatch(/FAILED: resources\/app\/out\/main\/index\.js is missing in the packaged layout/);
    expect(r.stderr).toMatch(/left out of the `files` of .*electron-builder-without-out\.yml/);
    expect(r.status).toBe(1);
  });

  it('electron-builder.yml makes AppImage and deb, dmg and nsis, with a 512×512 icon from assets/ and the tray icons as resources', () => {
    const targets = (os: string) => ([] as unknown[]).concat((builder[os] as { target: unknown }).target);
    expect(targets('linux')).toEqual(['AppImage', 'deb']);
    expect(targets('mac')).toEqual(['dmg']);
    expect(targets('win')).toEqual(['nsis']);
    for (const os of ['linux', 'mac', 'win']) {
      const icon = (builder[os] as { icon: string }).icon;
      expect(icon).toBe('assets/icon.png');
      // macOS needs 512×512 for its .icns, Windows at least 256×256.
      const png = PNG.sync.read(readFileSync(join(ROOT, icon)));
      expect([png.width, png.height]).toEqual([512, 512]);
    }
    // The window icon and the tray icons are read from resources/assets (src-main/electron/main.ts).
    for (const name of ['icon.png', 'tray.png', 'trayTemplate.png']) expect(existsSync(join(ROOT, 'assets', name))).toBe(true);
    expect(builder.extraResources).toContainEqual({ from: 'assets', to: 'assets', filter: ['*.png'] });
  });
});
