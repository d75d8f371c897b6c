import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyTests, signIn, type JourneyHost } from '../support/desktop-journey';
import { buildAndLaunchApp, findElectron } from '../support/electron-binary';

const electron = findElectron();
const skipReason = 'missing' in electron ? electron.missing : undefined;
if (skipReason) console.warn(`Electron journey e2e skipped: ${skipReason}`);

const ADMIN = { user: 'admin', password: 'Desktop-Journey-1' };

/**
 * Issue 17's journey in the Electron window (`_electron.launch` of the built app), the same steps
 * as e2e/headless/desktop-journey.e2e.test.ts in a browser on serve. Skipped where no Electron
 * binary can run, and the test name says why.
 */
describe.skipIf(skipReason !== undefined)(`the desktop journey in the Electron window${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  let host: JourneyHost;
  let url: string;
  const pageErrors: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'da-electron-journey-'));
  const keepShots = process.env.DA_E2E_SHOTS;
  const shots = keepShots ? join(keepShots, 'electron') : join(dataDir, 'shots');
  const basic = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${path}`, { method, headers: { authorization: basic, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as T;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    app = await buildAndLaunchApp((electron as { path: string }).path, ['--lang=en-US', '--data-dir', dataDir, '--port', '0'], {
      ...process.env,
      DESKTOP_AGENT_ADMIN_USER: ADMIN.user,
      DESKTOP_AGENT_ADMIN_PASSWORD: ADMIN.password,
    });
    page = await app.firstWindow();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const runtime = join(dataDir, 'runtime.json');
    await expect.poll(() => existsSync(runtime), { timeout: 60_000 }).toBe(true);
    url = (JSON.parse(readFileSync(runtime, 'utf8')) as { url: string }).url;
    // A second user: the window no longer signs its only user in by itself (decision 0009).
    await api('POST', '/api/admin/users', { username: 'yuki', password: 'Yuki-Pass-2026', role: 'Viewer' });
    host = { page, shots, runStatus: async (id) => (await api<{ status: string }>('GET', `/api/runs/${id}`)).status };
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in', async () => {
    await page.reload();
    await signIn(page, ADMIN);
  });

  journeyTests(() => host);

  it('left no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
