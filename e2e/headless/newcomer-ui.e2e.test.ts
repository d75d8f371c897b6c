import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireUiBuild, VIEWPORT } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * What a new user saw in the first hour (issue 14, item 11): a Runner offered the "Add a user"
 * form, the selected language unreadable on hover, the Run ID column cut off, and a risk text
 * reading "sends POST a URL". Debian's Chromium against a real `serve`.
 */
const RUNNER = { username: 'hanako', password: 'Runner-Pass-2026' };
// Run in the page (serialized: no closures); this project's e2e types have no DOM library, so the page's objects are described here.
type Box = { right: number };
type El = { scrollWidth: number; clientWidth: number; getBoundingClientRect(): Box; closest(sel: string): El };
const COLORS = (el: unknown) => {
  const style = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string } }).getComputedStyle(el);
  return { color: style.color, background: style.backgroundColor };
};
const FITS = (el: unknown) => {
  const cell = el as El;
  return { whole: cell.scrollWidth <= cell.clientWidth, inside: cell.getBoundingClientRect().right <= cell.closest('[data-testid="runs-table"]').getBoundingClientRect().right };
};
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

describe('a newcomer’s first screens', { timeout: 120_000 }, () => {
  let agent: AgentServer;
  let browser: Browser;

  const signedIn = async (username: string, password: string, locale = 'en-US'): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: VIEWPORT, locale })).newPage();
    await page.goto(agent.url + '/');
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await poll(() => page.getByTestId('user-badge-name').isVisible()).toBe(true);
    return page;
  };

  beforeAll(async () => {
    requireUiBuild();
    agent = await startAgentServer();
    expect((await agent.api('POST', '/api/admin/users', { ...RUNNER, role: 'Runner' })).status).toBe(201);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
  });

  it('does not offer a Runner the "Add a user" form on #/users; the Admin has it', async () => {
    const runner = await signedIn(RUNNER.username, RUNNER.password);
    await runner.goto(agent.url + '/#/users');
    await poll(() => runner.getByTestId('users-panel').getAttribute('data-state')).toBe('forbidden');
    expect(await runner.getByTestId('user-create').count()).toBe(0);
    const admin = await signedIn(ADMIN.user, ADMIN.password);
    await admin.goto(agent.url + '/#/users');
    await poll(() => admin.getByTestId('user-create').count()).toBe(1);
  });

  it('keeps the selected language readable on hover, and the Run ID whole in the Runs list', async () => {
    const page = await signedIn(ADMIN.user, ADMIN.password);
    const en = page.getByTestId('lang-en');
    expect(await en.getAttribute('aria-pressed')).toBe('true');
    await en.hover();
    const colors = () => en.evaluate(COLORS);
    await poll(async () => (await colors()).background).toBe('rgb(58, 74, 109)');
    expect((await colors()).color).toBe('rgb(255, 255, 255)');
    await page.getByTestId('lang-ja').hover();
    const ja = await page.getByTestId('lang-ja').evaluate(COLORS);
    expect(ja.color).not.toBe(ja.background);

    const id = await agent.enqueue('dsl_version: "1.1"\nname: "one"\nsteps:\n  - log: { message: hello }\n');
    await page.goto(agent.url + '/#/runs');
    const cell = page.locator(`[data-testid="run-row"][data-run-id="${id}"] [role=cell]`).last();
    await poll(() => cell.innerText()).toBe(id);
    const fits = await cell.evaluate(FITS);
    expect(fits).toEqual({ whole: true, inside: true });
  });

  it('words a request step’s risk as a sentence, in English and in Japanese', async () => {
    for (const [locale, expected] of [
      ['en-US', 'steps[0] make_request (medium): sends a POST request to api.example.com'],
      ['ja-JP', 'steps[0] make_request (中): api.example.com に POST リクエストを送信します'],
    ] as const) {
      const page = await signedIn(ADMIN.user, ADMIN.password, locale);
      await page.getByTestId(`lang-${locale.slice(0, 2)}`).click();
      await page.getByTestId('nav-templates').click();
      await page.getByTestId('template-new').click();
      await page.getByTestId('template-yaml-text').fill('dsl_version: "1.1"\nname: "post"\nsteps:\n  - make_request: { url: "https://api.example.com/items", method: POST }\n');
      await page.getByTestId('template-validate').click();
      await poll(() => page.getByTestId('template-risk-step').innerText()).toBe(expected);
    }
  });
});
