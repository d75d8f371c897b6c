import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The pre-run risk check (SPEC section 9) end to end: with `approval_policy` on, a template that
 * deletes a file waits for an approval before its first step; the Approvals view says the run has
 * not started and lists the risky step; approving it there starts the run, which deletes the file.
 */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

describe('approval before start in the served UI', () => {
  let agent: AgentServer;
  let browser: Browser;

  beforeAll(async () => {
    requireUiBuild();
    agent = await startAgentServer({ orchestratorYaml: 'approval_policy:\n  enabled: true\n  min_risk_level: high\n  required_role: Editor\n  timeout_minutes: 20\n' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
  });

  it('holds a run that deletes a file until an Admin approves it in the Approvals view (ja)', async () => {
    // A user's folder: the data dir is the app's own and file actions never reach it.
    const file = join(mkdtempSync(join(tmpdir(), 'da-invoices-')), '請求書 2026-11.pdf');
    writeFileSync(file, 'old invoice');
    const runId = await agent.enqueue(`dsl_version: "1.1"\nname: "古い請求書の削除"\nsteps:\n  - delete_files: { paths: [${JSON.stringify(file)}] }\n`);
    expect((await agent.waitForRun(runId, (r) => r.status === 'waiting_approval')).steps).toEqual([]);
    expect(existsSync(file)).toBe(true);

    const page = await (await browser.newContext({ viewport: VIEWPORT, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(agent.url + '/');
    await page.getByTestId('login-username').fill(ADMIN.user);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-approvals').click();
    const card = page.locator(`[data-testid=approval][data-run-id="${runId}"]`);
    await poll(() => card.count()).toBe(1);
    expect(await card.getByTestId('approval-message').innerText()).toContain('古い請求書の削除');
    expect(await card.getByTestId('approval-before-start').innerText()).toContain('未開始');
    expect(await card.getByTestId('approval-details').innerText()).toContain('steps[0] delete_files [high]: deletes 1 file(s)');

    await card.getByTestId('approval-approve').click();
    await poll(() => page.getByTestId('approvals-notice').innerText()).toBe(`承認しました（実行 ${runId} を開始します）。`);
    const done = await agent.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    expect(existsSync(file)).toBe(false);
  });
});
