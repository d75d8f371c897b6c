import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The Dashboard with data, in Japanese and English, in the signed-in app and at /public/dashboard:
 * the guide's sections are on screen with their figures, the charts are drawn, and the public page
 * answers without credentials while api.public_metrics is on. Screenshots are kept for a person.
 */
const SECTIONS_JA = ['実行の概要（過去24時間）', '1時間ごとの実行数（24時間）', 'キュー深度（24時間）', 'HITL（人による承認）', 'トリガー', 'セキュリティ', '上位の失敗クラスター（24時間）'];
const SECTIONS_EN = ['Runs at a glance (last 24 hours)', 'Runs per hour (24 hours)', 'Queue depth (24 hours)', 'HITL (human approvals)', 'Triggers', 'Security', 'Top failure clusters (24 hours)'];

describe('the Dashboard with data, served by `desktop-agent serve`', () => {
  let server: AgentServer;
  let browser: Browser;
  const shots = process.env.DA_SHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'da-dash-'));

  beforeAll(async () => {
    requireUiBuild();
    server = await startAgentServer({ orchestratorYaml: 'api:\n  public_metrics: true\n' });
    const ok = `dsl_version: "1.1"\nname: report\nsteps:\n  - log: { message: "done" }\n`;
    const bad = `dsl_version: "1.1"\nname: import\nsteps:\n  - read_csv: { path: "${join(shots, 'missing.csv')}" }\n`;
    const ids = [await server.enqueue(ok), await server.enqueue(ok), await server.enqueue(ok), await server.enqueue(bad)];
    for (const id of ids) await server.waitForRun(id);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
    if (!process.env.DA_SHOTS_DIR) rmSync(shots, { recursive: true, force: true });
  });

  const sectionTitles = (page: Page) => page.locator('.metrics-section h3').allInnerTexts();

  async function checkFigures(page: Page, expected: { rate: string; total: string; charted: number }) {
    await expect.poll(() => page.getByTestId('metrics-panels').getAttribute('data-state')).toBe('ready');
    await expect.poll(() => page.getByTestId('figure-success-rate').locator('.figure-value').textContent()).toBe(expected.rate);
    expect(await page.getByTestId('figure-total-runs').locator('.figure-value').textContent()).toBe(expected.total);
    // The charts are drawn (a canvas per chart) over 24 hourly points holding the runs.
    for (const chart of ['chart-runs', 'chart-queue']) {
      await expect.poll(() => page.getByTestId(chart).locator('canvas').count()).toBe(1);
      expect(await page.getByTestId(chart).getAttribute('data-points')).toBe('24');
    }
    expect(Number(await page.getByTestId('chart-runs').getAttribute('data-total'))).toBe(expected.charted);
    // Painted pixels on the canvas (page code as text: the tests compile without the DOM's types).
    const drawn = await page.evaluate(`(() => {
      const c = document.querySelector('[data-testid="chart-runs"] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
      return painted;
    })()`);
    expect(drawn as number).toBeGreaterThan(500);
  }

  it('shows the guide’s sections with figures and charts in the app, in Japanese and in English', async () => {
    const context = await browser.newContext({ viewport: { ...VIEWPORT, height: 1400 }, locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${server.url}/#/dashboard`);
    await page.getByTestId('login-username').fill(ADMIN.user);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    // 3 of 4 finished runs succeeded; the chart holds 4 created, 3 succeeded, 1 failed.
    await checkFigures(page, { rate: '75.0%', total: '4', charted: 8 });
    expect(await sectionTitles(page)).toEqual(SECTIONS_JA);
    await page.screenshot({ path: join(shots, 'dashboard-ja.png'), fullPage: true });
    await page.getByTestId('lang-en').click();
    await expect.poll(() => sectionTitles(page)).toEqual(SECTIONS_EN);
    await page.screenshot({ path: join(shots, 'dashboard-en.png'), fullPage: true });
    // Live: a new failed run moves the figures without a reload (3 of 5 succeeded).
    await server.waitForRun(await server.enqueue(`dsl_version: "1.1"\nname: import\nsteps:\n  - read_csv: { path: "${join(shots, 'missing-too.csv')}" }\n`));
    await expect.poll(() => page.getByTestId('figure-total-runs').locator('.figure-value').textContent()).toBe('5');
    await expect.poll(() => page.getByTestId('figure-success-rate').locator('.figure-value').textContent()).toBe('60.0%');
    await context.close();
  });

  it('renders /public/dashboard without credentials while api.public_metrics is on', async () => {
    const context = await browser.newContext({ viewport: { ...VIEWPORT, height: 1400 }, locale: 'en-US' });
    const page = await context.newPage();
    const res = await page.goto(`${server.url}/public/dashboard`);
    expect(res!.status()).toBe(200);
    await expect.poll(() => page.getByTestId('app-title').textContent()).toBe('Desktop Agent dashboard (read-only)');
    await expect.poll(() => page.getByTestId('metrics-panels').getAttribute('data-state')).toBe('ready');
    await checkFigures(page, { rate: '60.0%', total: '5', charted: 10 });
    expect(await sectionTitles(page)).toEqual(SECTIONS_EN);
    expect(await page.getByTestId('login-username').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'public-dashboard-en.png'), fullPage: true });
    await page.getByTestId('lang-ja').click();
    await expect.poll(() => sectionTitles(page)).toEqual(SECTIONS_JA);
    await page.screenshot({ path: join(shots, 'public-dashboard-ja.png'), fullPage: true });
    await context.close();
  });

  it('answers the guide’s alert: curl -s /metrics | jq ".success_rate_24h < 0.8"', async () => {
    const r = await fetch(`${server.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const m = (await r.json()) as { success_rate_24h: number };
    expect(m.success_rate_24h).toBeGreaterThan(0);
    expect(m.success_rate_24h < 0.8).toBe(true);
  });
});
