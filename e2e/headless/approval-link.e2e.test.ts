import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../../test-support/raw-http';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The guide's approval link (`http://localhost:8000/hitl/approve/{run_id}`, issue 14 item 7) opened
 * in a browser that has not signed in: the sign-in screen, then that approval, its deadline in the
 * browser's own zone and locale; approving it there finishes the run. A page on another local site
 * that posts the approval form is refused (Sec-Fetch-Site), even with the session cookie.
 */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

const TEMPLATE = `dsl_version: "1.1"
name: "承認リンク"
steps:
  - human_confirm:
      message: "請求書を送信しますか？"
      timeout_minutes: 45
      auto_action: deny
      required_role: Editor
      risk_level: high
  - log: { message: "approved and done" }
`;

interface Approval {
  id: string;
  run_id: string;
  status: string;
  expires_at: string;
}

/** What `formatTime` shows (dateStyle/timeStyle medium), computed in the page for a given zone. */
const formatIn = (page: Page, iso: string, tag: string, timeZone: string) =>
  page.evaluate(([i, l, z]) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'medium', timeZone: z }).format(new Date(i!)), [iso, tag, timeZone]);

describe('the approval link in a browser that has not signed in', () => {
  let agent: AgentServer;
  let browser: Browser;
  let otherSite: Server;
  let otherSiteUrl: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    requireUiBuild();
    agent = await startAgentServer();
    browser = await launchChromium();
    // Another site on this machine (another port is the same site but another origin): a page
    // that posts the approval form to the agent as soon as it loads.
    otherSite = createServer((req, res) => {
      const target = decodeURIComponent((req.url ?? '/').slice(1));
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><form id="f" method="post" action="${target}"><input name="action" value="approve"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => otherSite.listen(0, '127.0.0.1', r));
    otherSiteUrl = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await agent?.cleanup();
    await new Promise((r) => otherSite?.close(r));
  });

  const newPage = async (locale: string, timezoneId: string) => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale, timezoneId });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  };

  const pendingApproval = async (runId: string) => {
    const r = await agent.api<{ items: Approval[] }>('GET', '/api/approvals?status=pending');
    return r.json.items.find((a) => a.run_id === runId);
  };

  const signIn = async (page: Page) => {
    await page.getByTestId('login-username').fill(ADMIN.user);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
  };

  it('shows sign-in, then the approval with its deadline in local time; approving it finishes the run (ja, Asia/Tokyo)', async () => {
    const runId = await agent.enqueue(TEMPLATE);
    await agent.waitForRun(runId, (r) => r.status === 'waiting_approval');
    const approval = (await poll(() => pendingApproval(runId)).toBeDefined(), (await pendingApproval(runId))!);

    const page = await newPage('ja-JP', 'Asia/Tokyo');
    const answer = await page.goto(`${agent.url}/hitl/approve/${runId}`);
    // Not the API's JSON 401: the app's sign-in screen, at an address that names this approval.
    expect(answer?.headers()['content-type']).toContain('text/html');
    await page.getByTestId('login-username').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('UNAUTHENTICATED');
    expect(new URL(page.url()).hash).toBe(`#/approvals/${runId}`);

    await signIn(page);
    const dialog = page.getByTestId('approval-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('approval-message').innerText()).toBe('請求書を送信しますか？');
    expect(await dialog.getByTestId('approval-run').innerText()).toBe(runId);

    // The deadline in the browser's zone (Tokyo, UTC+9) and locale, not the UTC the API sends.
    const deadline = await dialog.getByTestId('approval-deadline').innerText();
    const tokyo = await formatIn(page, approval.expires_at, 'ja-JP', 'Asia/Tokyo');
    const utc = await formatIn(page, approval.expires_at, 'ja-JP', 'UTC');
    expect(tokyo).not.toBe(utc);
    expect(deadline).toContain(tokyo);
    expect(deadline).not.toContain(utc);
    expect(deadline).not.toContain(approval.expires_at.slice(0, 16));

    await dialog.getByTestId('approval-approve').click();
    await poll(() => page.getByTestId('approvals-notice').innerText()).toContain(runId);
    const done = await agent.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => [s.action, s.status])).toEqual([
      ['human_confirm', 'succeeded'],
      ['log', 'succeeded'],
    ]);
  });

  it('takes a signed-in browser straight to the approval, in its own zone and locale (en, UTC); scripts still get the page or a 401', async () => {
    const runId = await agent.enqueue(TEMPLATE);
    await agent.waitForRun(runId, (r) => r.status === 'waiting_approval');
    await poll(() => pendingApproval(runId)).toBeDefined();
    const approval = (await pendingApproval(runId))!;

    const page = await newPage('en-US', 'UTC');
    await page.goto(`${agent.url}/`);
    await signIn(page);
    await page.getByTestId('nav-approvals').waitFor();
    await page.goto(`${agent.url}/hitl/approve/${runId}`);
    const dialog = page.getByTestId('approval-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('approval-run').innerText()).toBe(runId);
    expect(await dialog.getByTestId('approval-deadline').innerText()).toContain(await formatIn(page, approval.expires_at, 'en-US', 'UTC'));

    // A client that is not a browser page load: the API's answers as before.
    const link = `${agent.url}/hitl/approve/${runId}`;
    const anonymous = await fetch(link, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()) as unknown).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const withToken = await fetch(link, { headers: { authorization: agent.auth, accept: 'text/html' }, redirect: 'manual' });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('請求書を送信しますか？');
    // A browser's page load (fetch metadata; fetch() cannot send it): to the app, whoever asks.
    const navigation = await rawHttp(link, { headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none' } });
    expect(navigation.status).toBe(303);
    expect(navigation.headers.location).toBe(`/#/approvals/${runId}`);

    expect((await agent.api('POST', `/api/approvals/${approval.id}/deny`, { comment: 'test done' })).status).toBe(200);
  });

  it('refuses an approval posted by a page of another local site, though the browser is signed in', async () => {
    const runId = await agent.enqueue(TEMPLATE);
    await agent.waitForRun(runId, (r) => r.status === 'waiting_approval');
    await poll(() => pendingApproval(runId)).toBeDefined();

    const page = await newPage('en-US', 'UTC');
    await page.goto(`${agent.url}/`);
    await signIn(page);
    await page.getByTestId('nav-approvals').waitFor();

    // The other site's page submits the form to the agent with the browser's session cookie.
    const posted = page.waitForResponse((r) => r.url().includes(`/hitl/approve/${runId}`) && r.request().method() === 'POST');
    await page.goto(`${otherSiteUrl}/${encodeURIComponent(`${agent.url}/hitl/approve/${runId}`)}`);
    const answer = await posted;
    expect(answer.request().headers()['sec-fetch-site'] ?? (await answer.request().allHeaders())['sec-fetch-site']).toBe('same-site');
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toContain('CROSS_SITE_REQUEST');
    expect((await pendingApproval(runId))?.status).toBe('pending');
    expect((await agent.getRun(runId)).status).toBe('waiting_approval');
  });
});
