import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src-shared/contract/ipc';
import { buildAndLaunchApp, findElectron } from '../support/electron-binary';

const electron = findElectron();
const skipReason = 'missing' in electron ? electron.missing : undefined;
if (skipReason) console.warn(`Electron e2e skipped: ${skipReason}`);

/**
 * `npm start` as a user gets it: the built app in Electron, with its window, IPC bridge and
 * loopback API. Skipped where no Electron binary can run, and the test name says why.
 */
describe.skipIf(skipReason !== undefined)(`the desktop app${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  const dataDir = mkdtempSync(join(tmpdir(), 'da-electron-'));

  beforeAll(async () => {
    app = await buildAndLaunchApp((electron as { path: string }).path, ['--lang=ja', '--data-dir', dataDir, '--port', '0']);
    page = await app.firstWindow();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a window on the app protocol showing the first-run screen in Japanese (no user yet)', async () => {
    expect(page.url()).toBe('desktop-agent://ui/index.html');
    await expect.poll(() => page.getByTestId('app-title').textContent()).toBe('Desktop Agent');
    await expect.poll(() => page.getByTestId('first-run').locator('h2').textContent()).toBe('はじめに：最初の管理者を作成');
    const file = join(dataDir, 'window.png');
    await page.screenshot({ path: file });
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBeGreaterThan(600);
  });

  it('gives the page window.agent with invoke and subscribe only, and no Node', async () => {
    // (Page code is passed as text where it needs the DOM: the tests compile with Node's types.)
    expect(await page.evaluate('Object.keys(window.agent ?? {}).sort()')).toEqual(['invoke', 'subscribe']);
    expect(await page.evaluate('[typeof require, typeof process]')).toEqual(['undefined', 'undefined']);
  });

  it('answers through the dispatcher over IPC: public, 401, unknown procedure and malformed input as envelopes', async () => {
    const call = (name: unknown, input: unknown) => page.evaluate(([n, i]) => (globalThis as unknown as { agent: AgentApi }).agent.invoke(n as string, i), [name, input] as const);
    expect(await call('system.health', {})).toMatchObject({ ok: true, data: { status: 'ok' } });
    expect(await call('system.status', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await call('nope.nothing', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_PROCEDURE' } });
    expect(await call('system.health', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await call(42, null)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('creates the first Admin on the first-run screen and signs the window in over IPC', async () => {
    await page.getByTestId('first-run-username').fill('admin');
    await page.getByTestId('first-run-password').fill('Desktop-Admin-1');
    await page.getByTestId('first-run-password-confirm').fill('Desktop-Admin-1');
    await page.getByTestId('first-run-submit').click();
    await expect.poll(() => page.getByTestId('user-badge-name').textContent(), { timeout: 15_000 }).toBe('admin');
    expect(await page.getByTestId('nav').locator('a').allInnerTexts()).toEqual(['ダッシュボード', '実行', '承認', 'キュー', 'トリガー', 'テンプレート', '失敗クラスター', 'ユーザー', '監査ログ', 'シークレット']);
    await expect.poll(() => page.getByTestId('live-indicator').getAttribute('data-state')).toBe('live');
    await expect.poll(() => page.getByTestId('status-panel').getAttribute('data-state')).toBe('ready');
  });

  it('signs the only user in at once: after signing out of the session the window is theirs again, with no login screen', async () => {
    await page.getByTestId('user-badge').click();
    await page.getByTestId('menu-sign-out').click();
    await expect.poll(() => page.getByTestId('user-badge-name').textContent()).toBe('admin');
    expect(await page.getByTestId('login').count()).toBe(0);
    // Signed in as the computer's only user, there is no session to sign out of.
    await page.getByTestId('user-badge').click();
    expect(await page.getByTestId('menu-sign-out').count()).toBe(0);
    expect(await page.getByTestId('user-menu').innerText()).toContain('このコンピューターの唯一のユーザーとして自動でサインインしています。');
  });

  it('starts the loopback API and writes runtime.json; navigation away from the app is refused', async () => {
    const runtime = join(dataDir, 'runtime.json');
    await expect.poll(() => existsSync(runtime)).toBe(true);
    const { url } = JSON.parse(readFileSync(runtime, 'utf8')) as { url: string };
    expect((await (await fetch(`${url}/healthz`)).json()) as unknown).toMatchObject({ status: 'ok' });
    await page.evaluate("window.location.href = 'https://example.com/'");
    await new Promise((r) => setTimeout(r, 500));
    expect(page.url()).toBe('desktop-agent://ui/index.html');
  });
});
