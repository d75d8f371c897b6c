import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES } from '../../src-shared/contract';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ROOT, startServeProcess, type ServeProcess } from '../support/serve-process';

const NAV_JA = ['ダッシュボード', '実行', '承認', 'キュー', 'トリガー', 'テンプレート', '失敗クラスター', 'ユーザー', '監査ログ', 'シークレット'];
const NAV_EN = ['Dashboard', 'Runs', 'Approvals', 'Queues', 'Triggers', 'Templates', 'Failure clusters', 'Users', 'Audit log', 'Secrets'];
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the UI shell served by `desktop-agent serve`, in Chromium', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const shots = mkdtempSync(join(tmpdir(), 'da-shots-'));
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    requireUiBuild();
    serve = await startServeProcess();
    browser = await launchChromium();
    // A Japanese reader with no saved choice: the shell starts in Japanese.
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'ja-JP' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    rmSync(shots, { recursive: true, force: true });
    if (serve) rmSync(serve.dataDir, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    const r = await fetch(`${serve.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok', version });
  });

  it('loads at / in Japanese, with every view in the navigation and Japanese glyphs available', async () => {
    const res = await page.goto(serve.url + '/');
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.getByTestId('app-title').textContent()).toBe('Desktop Agent');
    expect(await page.getByTestId('nav').locator('a').allInnerTexts()).toEqual(NAV_JA);
    expect(await page.evaluate('document.documentElement.lang')).toBe('ja');
    const font = await page.evaluate<string>('getComputedStyle(document.body).fontFamily');
    expect(font).toContain('Noto Sans CJK JP');
    // The face is installed (fonts-noto-cjk): text set in it measures the same whatever the
    // generic fallback behind it, which differs only when the face is missing.
    // (Page code is passed as text: the tests compile with Node's types, not the DOM's.)
    const sameWithEitherFallback = await page.evaluate(`(() => {
      const ctx = document.createElement('canvas').getContext('2d');
      const width = (fallback) => {
        ctx.font = '32px "Noto Sans CJK JP", ' + fallback;
        return ctx.measureText('Desktop Agent ダッシュボード 監査ログ').width;
      };
      return width('serif') === width('monospace');
    })()`);
    expect(sameWithEitherFallback).toBe(true);
  });

  it('says the live event stream needs a sign-in, and so does the status panel (the API answers 401)', async () => {
    const live = page.getByTestId('live-indicator');
    await expect.poll(() => live.getAttribute('data-state')).toBe('unauthenticated');
    expect(await live.innerText()).toBe('ライブ更新: 切断（サインインが必要）');
    const panel = page.getByTestId('status-panel');
    await expect.poll(() => panel.getAttribute('data-state')).toBe('unauthenticated');
    expect(await panel.innerText()).toContain('サインインが必要です。');
  });

  it('takes a screenshot of the whole viewport', async () => {
    const file = join(shots, 'shell-ja.png');
    await page.screenshot({ path: file });
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    // Not a blank page: the header, the navigation and the panel are drawn.
    const colors = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colors.add(png.data.readUInt32BE(i));
    expect(colors.size).toBeGreaterThan(8);
  });

  it('shows each list view honestly: not in this version, or sign-in required, as the contract says', async () => {
    const has = (path: string) => PROCEDURES.some((p) => p.http.method === 'GET' && p.http.path === path);
    for (const [view, section, path] of [
      ['runs', 'runs', '/api/runs'],
      ['triggers', 'webhooks', '/api/webhooks'],
      ['audit', 'audit', '/api/admin/audit'],
    ] as const) {
      await page.getByTestId(`nav-${view}`).click();
      await expect.poll(() => page.getByTestId(`view-${view}`).isVisible()).toBe(true);
      const el = page.getByTestId(`section-${section}`);
      const expected = has(path) ? 'unauthenticated' : 'unavailable';
      await expect.poll(() => el.getAttribute('data-state'), { message: `${view}: ${path}` }).toBe(expected);
      if (expected === 'unavailable') expect(await el.innerText()).toContain(`この画面が使う API（GET ${path}）は、このバージョンのコアにありません。`);
    }
    expect(page.url()).toBe(`${serve.url}/#/audit`);
  });

  it('switches to English, and keeps English after a reload', async () => {
    await page.getByTestId('lang-en').click();
    expect(await page.getByTestId('nav').locator('a').allInnerTexts()).toEqual(NAV_EN);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.getByTestId('nav').locator('a').allInnerTexts()).toEqual(NAV_EN);
    await expect.poll(() => page.getByTestId('live-indicator').innerText()).toBe('Live events: disconnected (sign-in required)');
    await page.getByTestId('nav-dashboard').click();
    await expect.poll(() => page.getByTestId('status-panel').innerText()).toContain('Sign-in required.');
    await page.screenshot({ path: join(shots, 'shell-en.png') });
    expect(PNG.sync.read(readFileSync(join(shots, 'shell-en.png'))).width).toBe(VIEWPORT.width);
  });

  it('ran without script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
