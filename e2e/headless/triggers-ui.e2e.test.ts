import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The Triggers view as an operator uses it (issue 15): a real `desktop-agent serve`, Debian's
 * Chromium. A schedule is created in the form (a bad cron refused at the field first), shows its
 * next 10 times and then fires, live; a webhook is created in its form (a bad endpoint refused at
 * the field, the secret typed once and kept in the secrets backend, never in webhooks.yaml), shows
 * the URL to send to and its deliveries with their answer codes; a folder watcher is created in its
 * form (the core's refusal shown at the field), watches, and runs for a dropped file; ja and en.
 */
const TICK = 'dsl_version: "1.1"\nname: tick\nsteps:\n  - log: { message: "tick" }\n';
const SECRET = 'triggers-ui-secret';
const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout, interval: 100 });

describe('the Triggers view', { timeout: 180_000 }, () => {
  let agent: AgentServer;
  let browser: Browser;
  let page: Page;
  const folder = mkdtempSync(join(tmpdir(), 'da-triggers-ui-'));
  const pageErrors: string[] = [];
  const deliver = (body: string, signed: boolean) =>
    fetch(`${agent.url}/webhooks/deploy`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(signed ? { 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` } : {}) },
    });

  beforeAll(async () => {
    requireUiBuild();
    // No keychain under plain serve here: a secret set in the view goes to the encrypted file backend.
    agent = await startAgentServer({ env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'triggers-ui passphrase' } });
    expect((await agent.api('POST', '/api/templates', { name: 'tick', yaml: TICK })).status).toBe(201);
    browser = await launchChromium();
    const c = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'Asia/Tokyo' });
    page = await c.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(agent.url + '/#/triggers');
    await page.getByTestId('login-username').fill(ADMIN.user);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('lang-en').click();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
    rmSync(folder, { recursive: true, force: true });
  });

  it('creates a schedule in the form (a bad cron is refused at the field), shows its next 10 times, and sees it fire', async () => {
    await page.getByTestId('schedule-new').click();
    await page.getByTestId('schedule-id').fill('every_second');
    await page.getByTestId('schedule-name').fill('毎秒チェック');
    await page.getByTestId('schedule-cron').fill('0 25 * * *');
    await poll(() => page.getByTestId('field-error-cron').textContent()).toBe('hour: 25 is outside 0-23');
    expect(await page.getByTestId('schedule-save').isDisabled()).toBe(true);
    await page.getByTestId('schedule-cron').fill('* * * * * *');
    expect(await page.getByTestId('field-error-cron').count()).toBe(0);
    await page.getByTestId('schedule-template').fill('no_such_template');
    await page.getByTestId('schedule-timezone').fill('UTC');
    await page.getByTestId('schedule-overlap').selectOption('allow');
    await page.getByTestId('schedule-save').click();
    // The core's refusal is shown at its field.
    await poll(() => page.getByTestId('field-error-template').textContent()).toBe("no template named 'no_such_template'");
    await page.getByTestId('schedule-template').fill('tick');
    await page.getByTestId('schedule-save').click();

    const row = page.getByTestId('schedule-row-every_second');
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('every second');
    const next = page.getByTestId('schedule-next-times').locator('li');
    await poll(() => next.count()).toBe(10);
    // Read the ten in one go: the list moves on every second, and item-by-item reads could straddle a move.
    const times = (await next.evaluateAll((items) => items.map((li) => (li as unknown as { getAttribute(name: string): string }).getAttribute('data-time')))).map((t) => Date.parse(t));
    expect(times).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(times[i]! - times[i - 1]!).toBe(1000);
    // Fires arrive live from the event stream, no reload.
    await poll(() => page.getByTestId('schedule-fires').locator('tr[data-outcome="fired"]').count()).toBeGreaterThan(1);
    await poll(() => page.getByTestId('schedule-last-every_second').textContent()).toContain('fired');

    await page.getByTestId('schedule-toggle-every_second').click();
    await poll(() => page.getByTestId('schedule-next-every_second').textContent()).toBe('—');
    expect((await agent.api<{ enabled: boolean }[]>('GET', '/api/schedules')).json).toMatchObject({ items: [{ id: 'daily_report' }, { id: 'every_second', enabled: false }] });
  });

  it('creates a webhook in its form (a bad endpoint refused at the field; the secret kept out of webhooks.yaml), shows its URL, and its deliveries with their answer codes as they arrive', async () => {
    await page.getByTestId('webhook-new').click();
    await page.getByTestId('webhook-id').fill('deploy');
    await page.getByTestId('webhook-name').fill('Deploy');
    await page.getByTestId('webhook-endpoint').fill('/hooks/deploy');
    await poll(() => page.getByTestId('field-error-endpoint').textContent()).toBe('Start with /webhooks/ followed by letters, digits, _ . / or -');
    expect(await page.getByTestId('webhook-form-save').isDisabled()).toBe(true);
    await page.getByTestId('webhook-endpoint').fill('/webhooks/deploy');
    expect(await page.getByTestId('field-error-endpoint').count()).toBe(0);
    await page.getByTestId('webhook-template').fill('tick');
    await page.getByTestId('webhook-signature').selectOption('github');
    await page.getByTestId('webhook-secret').fill(SECRET);
    await page.getByTestId('webhook-allowed-ips').fill('127.0.0.0/8\n::1');
    await page.getByTestId('webhook-form-save').click();
    await poll(() => page.getByTestId('webhook-row-deploy').count()).toBe(1);
    expect(await page.getByTestId('webhook-url-deploy').inputValue()).toBe(`${agent.url}/webhooks/deploy`);
    // The secret is in the secrets backend: the file holds its reference, listings never show it.
    const file = readFileSync(join(agent.dataDir, 'configs', 'webhooks.yaml'), 'utf8');
    expect(file).toContain('secret: secrets://webhook_deploy');
    expect(file).not.toContain(SECRET);
    const listed = await agent.api<{ items: { id: string; secret_stored: string | null; allowed_ips: string[] }[] }>('GET', '/api/webhooks');
    expect(JSON.stringify(listed.json)).not.toContain(SECRET);
    expect(listed.json.items).toMatchObject([{ id: 'deploy', secret_stored: 'backend', allowed_ips: ['127.0.0.0/8', '::1'] }]);

    expect((await deliver('{"ref":"main"}', true)).status).toBe(202);
    expect((await deliver('{"ref":"main"}', false)).status).toBe(401);
    // Saving opened the new webhook's detail: its deliveries arrive live.
    const rows = page.getByTestId('webhook-deliveries').locator('tbody tr');
    const statuses = async () => Promise.all((await rows.all()).map((tr) => tr.getAttribute('data-status')));
    await poll(statuses).toEqual(['401', '202']);
    expect((await deliver('{"ref":"next"}', true)).status).toBe(202);
    await poll(() => rows.count()).toBe(3);
    await poll(() => page.getByTestId('webhook-last-deploy').textContent()).toContain('202');

    // Edited without a new secret: the stored one stays and still verifies.
    await page.getByTestId('webhook-edit-deploy').click();
    await page.getByTestId('webhook-name').fill('Deploy (main)');
    await page.getByTestId('webhook-form-save').click();
    await poll(() => page.getByTestId('webhook-row-deploy').textContent()).toContain('Deploy (main)');
    expect((await deliver('{"ref":"again"}', true)).status).toBe(202);
  });

  it('creates a folder watcher in its form (the core refuses an unknown template at the field), sees it watching, and a dropped file makes a run', async () => {
    await page.getByTestId('watcher-new').click();
    await page.getByTestId('watcher-id').fill('inbox');
    await page.getByTestId('watcher-name').fill('受信箱');
    await page.getByTestId('watcher-path').fill(folder);
    await page.getByTestId('watcher-template').fill('no_such_template');
    await page.getByTestId('watcher-patterns').fill('*.pdf');
    await page.getByTestId('watcher-debounce').fill('200');
    await page.getByTestId('watcher-event-created').uncheck();
    await poll(() => page.getByTestId('field-error-events').textContent()).toBe('Choose at least one event');
    expect(await page.getByTestId('watcher-form-save').isDisabled()).toBe(true);
    await page.getByTestId('watcher-event-created').check();
    await page.getByTestId('watcher-form-save').click();
    await poll(() => page.getByTestId('field-error-template').textContent()).toBe("no template named 'no_such_template'");
    await page.getByTestId('watcher-template').fill('tick');
    await page.getByTestId('watcher-form-save').click();

    await poll(() => page.getByTestId('watcher-state-inbox').getAttribute('data-state')).toBe('watching');
    const events = page.getByTestId('watcher-events').locator('tbody tr');
    // Saving opened the new watcher's detail: its events arrive live.
    writeFileSync(join(folder, 'invoice-001.pdf'), 'pdf');
    await poll(() => events.count()).toBe(1);
    expect(await events.first().textContent()).toContain(join(folder, 'invoice-001.pdf'));
    expect(await events.first().getAttribute('data-outcome')).toBe('queued');
    const runs = await agent.api<{ items: { trigger: string; variables: Record<string, unknown> }[] }>('GET', '/api/runs?limit=100');
    expect(runs.json.items.filter((r) => r.trigger === 'watcher:inbox')).toMatchObject([{ variables: { trigger_filename: 'invoice-001.pdf' } }]);
  });

  it('reads in Japanese', async () => {
    await page.getByTestId('lang-ja').click();
    await poll(() => page.getByTestId('section-schedules').locator('h3').textContent()).toContain('スケジュール');
    expect(await page.getByTestId('watcher-state-inbox').textContent()).toContain('監視中');
    expect(await page.getByTestId('schedule-row-every_second').textContent()).toContain('毎秒');
    expect(await page.getByTestId('watcher-new').textContent()).toBe('フォルダ監視を追加');
    await page.getByTestId('webhook-edit-deploy').click();
    expect(await page.getByTestId('webhook-form').locator('h3').textContent()).toBe('Webhook deploy の編集');
    expect(await page.getByTestId('webhook-form').textContent()).toContain('空欄なら保存済みのシークレットをそのまま使います');
    expect(pageErrors).toEqual([]);
  });
});
