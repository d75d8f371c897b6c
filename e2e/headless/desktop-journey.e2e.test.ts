import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { journeyTests, signIn, type JourneyHost } from '../support/desktop-journey';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * Issue 17's journey in a browser on `desktop-agent serve` (the same renderer as the Electron
 * window): sign in, drop two template files, run, watch, approve in the dialog, users and roles,
 * ja/en. Screenshots of each step go to $DA_E2E_SHOTS when set (a temp dir otherwise).
 */
describe('the desktop journey in the served UI (Chromium)', () => {
  let agent: AgentServer;
  let browser: Browser;
  let page: Page;
  let host: JourneyHost;
  const pageErrors: string[] = [];
  const keepShots = process.env.DA_E2E_SHOTS;
  const shots = keepShots ? (mkdirSync(join(keepShots, 'serve'), { recursive: true }), join(keepShots, 'serve')) : mkdtempSync(join(tmpdir(), 'da-journey-'));

  beforeAll(async () => {
    requireUiBuild();
    agent = await startAgentServer();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'Asia/Tokyo' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    host = { page, shots, runStatus: async (id) => (await agent.getRun(id)).status };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
    if (!keepShots) rmSync(shots, { recursive: true, force: true });
  });

  it('signs in', async () => {
    await page.goto(agent.url + '/');
    await signIn(page, ADMIN);
  });

  journeyTests(() => host);

  it('left no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
