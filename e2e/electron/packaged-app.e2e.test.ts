import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectron } from '../support/electron-binary';
import { ROOT } from '../support/serve-process';

const electron = findElectron();
const skipReason = 'missing' in electron ? electron.missing : undefined;
if (skipReason) console.warn(`Electron e2e of the packaged layout skipped: ${skipReason}`);

/**
 * The packaged layout (scripts/packaged-layout.mjs --stage-only: electron-builder.yml's files and
 * the production dependencies) launched in Electron: its window comes up on the first-run screen.
 * The plain-Node half of this check runs everywhere: e2e/headless/packaged-app.e2e.test.ts.
 */
describe.skipIf(skipReason !== undefined)(`the packaged layout in Electron${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let app: ElectronApplication | undefined;
  let work: string | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'da-electron-packaged-'));

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts the built app from the staged layout and shows its window', { timeout: 300_000 }, async () => {
    const node = process.execPath;
    // As `npm start` and `npm run dist` do: the bundles, and the Electron build of better-sqlite3 in native/.
    execFileSync(node, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'ignore' });
    execFileSync(node, [join(ROOT, 'scripts', 'native-binding.mjs'), 'electron'], { cwd: ROOT, stdio: 'ignore' });
    const layout = JSON.parse(execFileSync(node, [join(ROOT, 'scripts', 'packaged-layout.mjs'), '--stage-only'], { cwd: ROOT, encoding: 'utf8' })) as { work: string; app: string };
    work = layout.work;
    app = await _electron.launch({ executablePath: (electron as { path: string }).path, args: [layout.app, '--data-dir', dataDir, '--port', '0'], cwd: layout.work });
    const page = await app.firstWindow();
    await expect.poll(() => page.getByTestId('app-title').textContent(), { timeout: 60_000 }).toBe('Desktop Agent');
    await expect.poll(() => page.getByTestId('first-run').isVisible(), { timeout: 60_000 }).toBe(true);
  });
});
