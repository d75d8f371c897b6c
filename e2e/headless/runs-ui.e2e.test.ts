import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../test-support/web-test-site';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The Runs and Queues views as an operator uses them: a real `desktop-agent serve` runs real
 * templates (a long `wait`, a web step that fails on a local page and keeps its screenshot),
 * Debian's Chromium shows the served UI. Runs appear and change state without a reload; the
 * operator cancels, re-runs, pauses and resumes a queue; a Viewer sees the same runs and no buttons.
 * The steps build on each other, so they run in order.
 */
const VIEWER = { username: 'taro', password: 'Viewer-Pass-2026' };
// Each run is tried once: a failure stays a failure (the default queue policy would retry).
const template = (name: string, steps: string) => `dsl_version: "1.1"
name: "${name}"
variables:
  site: null
execution:
  retry: { max_attempts: 1 }
steps:
${steps}`;
const WAITING = template('長い待機', '  - wait: { ms: 600000 }\n');
const FAILING = template('住所の入力', '  - open_browser: { url: "{{site}}/contact" }\n  - fill_by_label: { label: 住所, text: 東京都千代田区, timeout_ms: 1000 }\n');
const QUICK = template('お知らせ', '  - log: { message: こんにちは }\n');

// A run launches Chromium: seconds each, several times that on a loaded 2-core machine.
const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout, interval: 100 });

describe('the Runs and Queues views', { timeout: 180_000 }, () => {
  let site: TestSite;
  let agent: AgentServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const keepShots = process.env.DA_E2E_SHOTS;
  const shots = keepShots ? (mkdirSync(keepShots, { recursive: true }), keepShots) : mkdtempSync(join(tmpdir(), 'da-runs-ui-'));
  const ids = { waiting: '', failing: '', rerun: '' };

  const newPage = async (locale = 'en-US') => {
    const c = await browser.newContext({ viewport: VIEWPORT, locale, timezoneId: 'Asia/Tokyo' });
    const p = await c.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    return { c, p };
  };
  const signIn = async (p: Page, username: string, password: string) => {
    await p.goto(agent.url + '/');
    await p.getByTestId('login-username').fill(username);
    await p.getByTestId('login-password').fill(password);
    await p.getByTestId('login-submit').click();
    await poll(() => p.getByTestId('user-badge-name').isVisible()).toBe(true);
  };
  const row = (p: Page, id: string) => p.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
  const openRun = async (p: Page, id: string) => {
    await row(p, id).click();
    await poll(() => p.getByTestId('run-detail').getAttribute('data-run-id')).toBe(id);
    await poll(() => p.getByTestId('run-detail').getAttribute('data-state')).toBe('ready');
  };
  const enqueue = (yaml: string) => agent.enqueue(yaml, { site: site.url });

  beforeAll(async () => {
    requireUiBuild();
    site = await startTestSite();
    agent = await startAgentServer();
    const created = await agent.api('POST', '/api/admin/users', { ...VIEWER, role: 'Viewer' });
    expect(created.status).toBe(201);
    browser = await launchChromium();
    ({ p: page } = await newPage());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
    await site?.close();
    if (!keepShots) rmSync(shots, { recursive: true, force: true });
  });

  it('lists real runs and follows their states live, without a reload', async () => {
    ids.waiting = await enqueue(WAITING);
    await agent.waitForRun(ids.waiting, (r) => r.status === 'running');
    await signIn(page, ADMIN.user, ADMIN.password);
    await page.getByTestId('nav-runs').click();
    await poll(() => row(page, ids.waiting).getAttribute('data-status')).toBe('running');
    expect(await row(page, ids.waiting).innerText()).toContain('長い待機');

    // Queued while the page is open: it appears, runs, and fails, all from the event stream.
    ids.failing = await enqueue(FAILING);
    await poll(() => row(page, ids.failing).count()).toBe(1);
    await poll(() => row(page, ids.failing).getAttribute('data-status'), 120_000).toBe('failed');
    expect(await row(page, ids.failing).getByText('Failed').count()).toBe(1);
    expect(await page.getByTestId('runs-count').innerText()).toBe('2 runs shown');
    // The newest run is on top.
    expect(await page.getByTestId('run-row').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { runId: string } }).dataset.runId))).toEqual([ids.failing, ids.waiting]);

    await page.getByTestId('runs-filter-status').selectOption('failed');
    await poll(() => page.getByTestId('runs-count').innerText()).toBe('1 run shown');
    expect(await row(page, ids.failing).count()).toBe(1);
    await page.getByTestId('runs-filter-template').fill('no such template');
    await poll(() => page.getByTestId('runs-empty').innerText()).toBe('No runs match.');
    await page.getByTestId('runs-filter-clear').click();
    await poll(() => page.getByTestId('runs-count').innerText()).toBe('2 runs shown');
  });

  it('shows a failed run’s steps, error, masked parameters and the screenshot of what the robot saw', async () => {
    await openRun(page, ids.failing);
    const detail = page.getByTestId('run-detail');
    expect(await detail.getByTestId('run-status').innerText()).toBe('Failed');
    expect(await detail.getByTestId('run-template').innerText()).toBe('住所の入力');
    expect(await detail.getByTestId('run-queue').innerText()).toBe('default');
    expect(await detail.getByTestId('run-error').innerText()).toContain("no input field labelled '住所'");
    expect(await page.getByTestId('run-attempt').count()).toBe(1);

    const steps = page.getByTestId('run-step');
    expect(await steps.count()).toBe(2);
    expect(await steps.nth(0).getAttribute('data-status')).toBe('succeeded');
    expect(await steps.nth(0).getByTestId('run-step-action').innerText()).toBe('open_browser');
    expect(await steps.nth(1).getAttribute('data-status')).toBe('failed');
    expect(await steps.nth(1).getByTestId('run-step-status').innerText()).toBe('Failed');
    expect(await steps.nth(1).getByTestId('run-step-error').innerText()).toContain('Labels found: お名前 必須');
    expect(await steps.nth(0).getByTestId('run-step-duration').innerText()).toMatch(/^\d+\.\d s$/);
    await steps.nth(0).getByText('Parameters (secrets masked)').click();
    expect(JSON.parse(await steps.nth(0).getByTestId('run-step-params').innerText())).toMatchObject({ url: `${site.url}/contact` });

    // The screenshot the runner kept when the step failed, loaded from the artifact route.
    const image = steps.nth(1).getByTestId('run-artifact-image');
    await image.scrollIntoViewIfNeeded();
    await poll(() => image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1280);
    expect(await image.getAttribute('alt')).toBe('Screenshot of step 2 (step-1.png)');
    const download = steps.nth(1).getByTestId('run-artifact-download');
    expect(await download.getAttribute('href')).toBe(`/api/runs/${ids.failing}/artifacts/step-1.png`);
    expect(await download.getAttribute('download')).toBe('step-1.png');
    // Tall enough for the whole detail (the main area scrolls, and an element shot is clipped to it).
    await page.setViewportSize({ width: VIEWPORT.width, height: 2400 });
    await page.getByTestId('run-detail').screenshot({ path: join(shots, 'run-failed-en.png') });
    await page.setViewportSize(VIEWPORT);
  });

  it('cancels a running run after a confirmation, and the run becomes cancelled', async () => {
    await page.getByTestId('run-detail-close').click();
    await openRun(page, ids.waiting);
    const actions = page.getByTestId('run-actions').locator('button');
    expect(await actions.allInnerTexts()).toEqual(['Pause', 'Cancel']);

    await page.getByTestId('run-cancel').click();
    const dialog = page.getByTestId('confirm-dialog');
    expect(await dialog.innerText()).toContain(`Cancel the run of “長い待機” (${ids.waiting})?`);
    // Going back changes nothing.
    await page.getByTestId('confirm-cancel').click();
    expect(await dialog.count()).toBe(0);
    expect((await agent.getRun(ids.waiting)).status).toBe('running');

    await page.getByTestId('run-cancel').click();
    await page.getByTestId('confirm-ok').click();
    await poll(() => page.getByTestId('run-status').innerText()).toBe('Cancelled');
    expect(await page.getByTestId('run-notice').innerText()).toContain('Cancellation accepted');
    await poll(() => row(page, ids.waiting).getAttribute('data-status')).toBe('cancelled');
    expect((await agent.getRun(ids.waiting)).status).toBe('cancelled');
    // A finished run offers what fits a finished run.
    expect(await actions.allInnerTexts()).toEqual(['Re-run', 'Delete']);
  });

  it('re-runs the failed run as a new run and opens it', async () => {
    await openRun(page, ids.failing);
    await page.getByTestId('run-retry').click();
    await poll(() => page.getByTestId('run-notice').innerText()).toContain('A re-run is queued.');
    await page.getByTestId('run-open-new').click();
    await poll(() => page.getByTestId('run-retry-of').innerText()).toBe(ids.failing);
    ids.rerun = (await page.getByTestId('run-detail').getAttribute('data-run-id'))!;
    expect(ids.rerun).not.toBe(ids.failing);
    expect(await page.getByTestId('run-template').innerText()).toBe('住所の入力');
    await poll(() => row(page, ids.rerun).count()).toBe(1);
    // It runs the same steps again, and the detail follows it to its end.
    await poll(() => page.getByTestId('run-status').getAttribute('data-status'), 120_000).toBe('failed');
    expect(await page.getByTestId('run-step').count()).toBe(2);
  });

  it('shows a refusal of the core as a clear message', async () => {
    // Deleted elsewhere while the detail is open: the next action is refused with the core's words.
    expect((await agent.api('DELETE', `/api/runs/${ids.rerun}`)).status).toBe(200);
    await page.getByTestId('run-retry').click();
    await poll(() => page.getByTestId('run-action-error').isVisible()).toBe(true);
    expect(await page.getByTestId('run-action-error').getAttribute('data-code')).toBe('NOT_FOUND');
    expect((await page.getByTestId('run-action-error').innerText()).split(/\n+/)).toEqual(['Could not re-run', `Run ${ids.rerun} not found`]);
    await page.getByTestId('run-detail-close').click();
  });

  it('pauses and resumes a queue; its depth and running counts follow live', async () => {
    await page.getByTestId('nav-queues').click();
    const queue = page.locator('[data-testid="queue-row"][data-queue="default"]');
    await poll(() => queue.getAttribute('data-paused')).toBe('false');
    expect(await queue.getByTestId('queue-state').innerText()).toBe('Active');

    await queue.getByTestId('queue-pause').click();
    await poll(() => queue.getAttribute('data-paused')).toBe('true');
    expect(await queue.getByTestId('queue-state').innerText()).toBe('Paused');
    expect(await page.getByText('A paused queue starts no new runs').count()).toBe(1);

    const held = await enqueue(QUICK);
    await poll(() => queue.getByTestId('queue-depth').innerText()).toBe('1');
    expect((await agent.getRun(held)).status).toBe('queued');

    await queue.getByTestId('queue-resume').click();
    await poll(() => queue.getAttribute('data-paused')).toBe('false');
    expect((await agent.waitForRun(held)).status).toBe('succeeded');
    await poll(() => queue.getByTestId('queue-depth').innerText()).toBe('0');
  });

  it('speaks Japanese: the runs, the detail and the queues', async () => {
    await page.getByTestId('lang-ja').click();
    await page.getByTestId('nav-runs').click();
    await poll(() => page.locator('h2').first().innerText()).toBe('実行');
    await poll(() => row(page, ids.failing).count()).toBe(1);
    expect(await row(page, ids.failing).innerText()).toContain('失敗');
    expect(await row(page, ids.waiting).innerText()).toContain('キャンセル済み');
    await openRun(page, ids.failing);
    expect(await page.getByTestId('run-actions').locator('button').allInnerTexts()).toEqual(['再実行', '削除']);
    expect(await page.getByTestId('run-detail-title').innerText()).toBe('実行の詳細：住所の入力');
    expect(await page.getByTestId('run-step').nth(1).getByTestId('run-artifact-image').getAttribute('alt')).toBe('ステップ 2 のスクリーンショット（step-1.png）');
    await page.getByTestId('run-detail').screenshot({ path: join(shots, 'run-failed-ja.png') });
    await page.screenshot({ path: join(shots, 'runs-ja.png') });

    await page.getByTestId('nav-queues').click();
    const queue = page.locator('[data-testid="queue-row"][data-queue="default"]');
    await poll(() => queue.getByTestId('queue-state').innerText()).toBe('稼働中');
    expect(await queue.getByTestId('queue-pause').innerText()).toBe('一時停止');
    await page.getByTestId('lang-en').click();
  });

  it('shows a Viewer the same runs and queues with no operation buttons', async () => {
    const { c, p } = await newPage();
    try {
      await signIn(p, VIEWER.username, VIEWER.password);
      await p.getByTestId('nav-runs').click();
      await poll(() => row(p, ids.failing).count()).toBe(1);
      await openRun(p, ids.failing);
      expect(await p.getByTestId('run-step').count()).toBe(2);
      expect(await p.getByTestId('run-actions').count()).toBe(0);
      for (const op of ['pause', 'resume', 'cancel', 'retry', 'delete']) expect(await p.getByTestId(`run-${op}`).count(), op).toBe(0);
      await p.getByTestId('nav-queues').click();
      await poll(() => p.getByTestId('queue-row').count()).toBeGreaterThan(0);
      expect(await p.getByTestId('queue-pause').count()).toBe(0);
      expect(await p.getByTestId('queue-resume').count()).toBe(0);
      // The server refuses what the screen hides.
      const basic = 'Basic ' + Buffer.from(`${VIEWER.username}:${VIEWER.password}`).toString('base64');
      const refused = await fetch(`${agent.url}/api/runs/${ids.failing}/retry`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(403);
    } finally {
      await c.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
