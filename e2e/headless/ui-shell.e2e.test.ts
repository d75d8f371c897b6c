import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES } from '../../src-shared/contract';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { CLI, ROOT, startServeProcess, type ServeProcess } from '../support/serve-process';

const NAV_JA = ['ダッシュボード', '実行', '承認', 'キュー', 'トリガー', 'テンプレート', '失敗クラスター', 'ユーザー', '監査ログ', 'シークレット'];
const NAV_EN = ['Dashboard', 'Runs', 'Approvals', 'Queues', 'Triggers', 'Templates', 'Failure clusters', 'Users', 'Audit log', 'Secrets'];
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ADMIN_PASSWORD = 'Shell-Admin-Pass-1';

describe('the UI shell served by `desktop-agent serve`, in Chromium', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const shots = mkdtempSync(join(tmpdir(), 'da-shots-'));
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const apiRequests: string[] = [];

  beforeAll(async () => {
    requireUiBuild();
    // An installation with its first Admin (made with the CLI, as the guide allows).
    const dataDir = mkdtempSync(join(tmpdir(), 'da-e2e-'));
    const made = spawnSync(process.execPath, [CLI, 'users', 'create', 'admin', '--role', 'admin', '--password-stdin', '--data-dir', dataDir], { input: `${ADMIN_PASSWORD}\n`, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`users create failed: ${made.stderr}`);
    serve = await startServeProcess([], {}, dataDir);
    browser = await launchChromium();
    // A Japanese reader with no saved choice: the shell starts in Japanese.
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'ja-JP' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) apiRequests.push(`${r.method()} ${url.pathname}`);
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

  it('loads at / in Japanese with the sign-in screen, and Japanese glyphs available', async () => {
    const res = await page.goto(serve.url + '/');
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.getByTestId('app-title').textContent()).toBe('Desktop Agent');
    await expect.poll(() => page.getByTestId('login').locator('h2').textContent()).toBe('サインイン');
    expect(await page.getByTestId('login').locator('.field-label').allInnerTexts()).toEqual(['ユーザー名', 'パスワード']);
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

  it('asks the core only who is signed in before a sign-in: no navigation, no stream, no data', async () => {
    expect(await page.getByTestId('nav').count()).toBe(0);
    expect(await page.getByTestId('live-indicator').count()).toBe(0);
    expect([...new Set(apiRequests)].sort()).toEqual(['GET /api/auth/first-run', 'GET /api/auth/me']);
  });

  it('takes a screenshot of the whole viewport', async () => {
    const file = join(shots, 'login-ja.png');
    await page.screenshot({ path: file });
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    // Not a blank page: the header and the sign-in form are drawn.
    const colors = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colors.add(png.data.readUInt32BE(i));
    expect(colors.size).toBeGreaterThan(8);
  });

  it('signs in: every view in the navigation, the live stream connected, the status panel', async () => {
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('nav').locator('a').allInnerTexts(), { timeout: 15_000 }).toEqual(NAV_JA);
    const live = page.getByTestId('live-indicator');
    await expect.poll(() => live.getAttribute('data-state')).toBe('live');
    expect(await live.innerText()).toBe('ライブ更新: 接続済み');
    await expect.poll(() => page.getByTestId('status-panel').getAttribute('data-state')).toBe('ready');
    expect(await page.getByTestId('config-ok').innerText()).toBe('設定ファイルに問題はありません。');
    await page.screenshot({ path: join(shots, 'shell-ja.png') });
    expect(PNG.sync.read(readFileSync(join(shots, 'shell-ja.png'))).width).toBe(VIEWPORT.width);
  });

  it('shows each list view honestly: not in this version, or what the core answered', async () => {
    const has = (path: string) => PROCEDURES.some((p) => p.http.method === 'GET' && p.http.path === path);
    for (const [view, panel, path] of [
      ['runs', 'runs-panel', '/api/runs'],
      ['triggers', 'section-webhooks', '/api/webhooks'],
      ['templates', 'section-templates', '/api/templates'],
    ] as const) {
      await page.getByTestId(`nav-${view}`).click();
      await expect.poll(() => page.getByTestId(`view-${view}`).isVisible()).toBe(true);
      const el = page.getByTestId(panel);
      const expected = has(path) ? 'ready' : 'unavailable';
      await expect.poll(() => el.getAttribute('data-state'), { message: `${view}: ${path}` }).toBe(expected);
      if (expected === 'unavailable') expect(await el.innerText()).toContain(`この画面が使う API（GET ${path}）は、このバージョンのコアにありません。`);
    }
    expect(page.url()).toBe(`${serve.url}/#/templates`);
  });

  it('switches to English, and keeps English and the session after a reload', async () => {
    await page.getByTestId('lang-en').click();
    expect(await page.getByTestId('nav').locator('a').allInnerTexts()).toEqual(NAV_EN);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.getByTestId('nav').locator('a').allInnerTexts()).toEqual(NAV_EN);
    await expect.poll(() => page.getByTestId('live-indicator').innerText()).toBe('Live events: connected');
    await page.getByTestId('nav-dashboard').click();
    await expect.poll(() => page.getByTestId('status-panel').innerText()).toContain('The configuration files have no problems.');
    await page.screenshot({ path: join(shots, 'shell-en.png') });
    expect(PNG.sync.read(readFileSync(join(shots, 'shell-en.png'))).width).toBe(VIEWPORT.width);
  });

  it('ran without script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
