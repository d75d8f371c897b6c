import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The Failure clusters view as an operator uses it: a real `desktop-agent serve` runs templates
 * that fail in two ways (a CSV that is not there: a built-in rule; an API that answers 404: no
 * rule, so a mined cluster), Debian's Chromium shows the served UI. Two clusters with counts,
 * samples and recommended actions; one is resolved; a new failure reopens it without a reload;
 * a cluster's run opens the run detail, which names its cluster beside the error.
 */
const template = (name: string, steps: string) => `dsl_version: "1.1"
name: "${name}"
variables:
  n: null
  api: null
execution:
  retry: { max_attempts: 1 }
steps:
${steps}`;
// Missing files inside files.allowed_roots (the temp dir), so the failure is "not found", not "blocked".
const MISSING = join(tmpdir(), 'da-e2e-nonexistent');
const CSV = template('売上CSV取込', `  - read_csv: { path: "${MISSING}/sales-{{n}}.csv" }\n`);
const API = template('受注同期', '  - make_request: { url: "{{api}}/orders/{{n}}" }\n');

const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout, interval: 100 });

describe('the Failure clusters view', { timeout: 180_000 }, () => {
  let agent: AgentServer;
  let api: Server;
  let apiUrl: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const fail = async (yaml: string, n: number) => {
    const run = await agent.waitForRun(await agent.enqueue(yaml, { n, api: apiUrl }));
    expect(run.status).toBe('failed');
    return run.id;
  };
  const card = (id: string) => page.locator(`[data-testid="cluster"][data-id="${id}"]`);
  const mined = () => page.locator('[data-testid="cluster"][data-id^="AUTO_"]');

  beforeAll(async () => {
    requireUiBuild();
    api = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"unknown order"}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    agent = await startAgentServer();
    browser = await launchChromium();
    const c = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'Asia/Tokyo' });
    page = await c.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
    api?.close();
  });

  it('shows two clusters with counts, samples and actions after failing runs of two kinds', async () => {
    await fail(CSV, 1);
    await fail(CSV, 2);
    await fail(API, 41);
    await fail(API, 42);
    await page.goto(agent.url + '/#/clusters');
    await page.getByTestId('login-username').fill(ADMIN.user);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await poll(() => page.getByTestId('cluster').count()).toBe(2);

    const files = card('NO_FILES_FOUND');
    await expect.poll(() => files.getByTestId('cluster-count').getAttribute('data-count')).toBe('2');
    expect(await files.getByTestId('cluster-name').textContent()).toBe('No files found');
    expect(await files.getByTestId('cluster-samples').locator('li').allTextContents()).toEqual([
      `No such file or folder: ${MISSING}/sales-2.csv`,
      `No such file or folder: ${MISSING}/sales-1.csv`,
    ]);
    expect(await files.getByTestId('cluster-actions').locator('li').count()).toBeGreaterThan(1);
    expect(await files.getByTestId('cluster-trend').getAttribute('data-values')).toBe('0,0,2');

    expect(await mined().count()).toBe(1);
    expect(await mined().getByTestId('cluster-count').getAttribute('data-count')).toBe('2');
    expect(await mined().getByTestId('cluster-name').textContent()).toContain('make_request: GET <*> answered <*> Not Found');
    expect(await mined().getByTestId('cluster-samples').locator('li').count()).toBe(2);
    expect(await mined().getByTestId('cluster-actions').locator('li').count()).toBeGreaterThan(0);
  });

  it('resolves a cluster, and a new failure of its kind reopens it live', async () => {
    const files = card('NO_FILES_FOUND');
    await files.getByTestId('cluster-resolve').click();
    await poll(() => files.getAttribute('data-resolved')).toBe('true');
    expect(await files.getByTestId('cluster-resolved').isVisible()).toBe(true);
    expect(await files.getByTestId('cluster-resolve').count()).toBe(0);

    await fail(CSV, 3);
    await poll(() => files.getAttribute('data-resolved')).toBe('false');
    await poll(() => files.getByTestId('cluster-count').getAttribute('data-count')).toBe('3');
    expect(await files.getByTestId('cluster-samples').locator('li').first().textContent()).toBe(`No such file or folder: ${MISSING}/sales-3.csv`);
  });

  it("opens a cluster's runs; the run detail names its cluster and the actions beside the error", async () => {
    await mined().getByTestId('cluster-details').click();
    await poll(() => mined().getByTestId('cluster-run-link').count()).toBe(2);
    expect(await mined().getByTestId('cluster-templates').textContent()).toContain('受注同期 (2)');
    const runId = await mined().getByTestId('cluster-run-link').first().textContent();
    await mined().getByTestId('cluster-run-link').first().click();
    await poll(() => page.getByTestId('run-detail').getAttribute('data-run-id')).toBe(runId);
    const onRun = page.getByTestId('run-cluster');
    await poll(() => onRun.getAttribute('data-id')).toMatch(/^AUTO_/);
    expect(await page.getByTestId('run-cluster-actions').locator('li').count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
