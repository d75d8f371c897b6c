import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { username as usernameSchema } from '../../src-shared/contract/users';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

/**
 * Users, sign-in, audit and secrets in the served UI, as people use them: the built CLI's `serve`
 * in a fresh data dir, Debian's Chromium, real users with real passwords. Each step builds on the
 * one before (the Admin of the first step signs in later), so the steps run in order.
 */
const ADMIN = { username: 'admin', password: 'Admin-Pass-2026' };
const EDITOR = { username: 'hanako', password: 'Editor-Pass-2026' };
const VIEWER = { username: 'taro', password: 'Viewer-Pass-2026', newPassword: 'Viewer-Reset-2026' };
const CANARY = 'canary-Secret-Value-7f3a91';
const NAV_EN_VIEWER = ['Dashboard', 'Runs', 'Approvals', 'Queues', 'Triggers', 'Templates', 'Failure clusters'];
const NAV_JA = ['ダッシュボード', '実行', '承認', 'キュー', 'トリガー', 'テンプレート', '失敗クラスター', 'ユーザー', '監査ログ', 'シークレット'];
const TIME_ZONE = 'Asia/Tokyo';

/** Waits for what the page shows; password hashing (scrypt, 64 MiB) on a busy machine can take seconds. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 15_000, ...options });

describe('users, sign-in, audit and secrets in the served UI', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  // DA_E2E_SHOTS=<dir> keeps the screenshots for a person to look at.
  const keepShots = process.env.DA_E2E_SHOTS;
  const shots = keepShots ? (mkdirSync(keepShots, { recursive: true }), keepShots) : mkdtempSync(join(tmpdir(), 'da-users-ui-'));
  const pageErrors: string[] = [];

  const newContext = async (locale = 'en-US') => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale, timezoneId: TIME_ZONE });
    context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
    return context;
  };

  /** Saves a screenshot and checks it is a real picture of the page: a PNG of the viewport, not blank. */
  const screenshot = async (p: Page, name: string) => {
    const file = join(shots, `${name}.png`);
    await p.screenshot({ path: file });
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height], name).toEqual([VIEWPORT.width, VIEWPORT.height]);
    const colors = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colors.add(png.data.readUInt32BE(i));
    expect(colors.size, name).toBeGreaterThan(8);
  };

  /** Fills and sends the sign-in form, and waits for the core's answer. */
  const signIn = async (p: Page, who: { username: string; password: string }) => {
    await p.getByTestId('login-username').fill(who.username);
    await p.getByTestId('login-password').fill(who.password);
    await Promise.all([p.waitForResponse((r) => r.url().endsWith('/api/auth/login')), p.getByTestId('login-submit').click()]);
  };

  /** An attribute of every element a locator finds (the tests compile without the DOM's types, hence the shape). */
  type Attributed = { getAttribute(name: string): string | null };
  const attrs = (l: Locator, name: string) => l.evaluateAll((els, n) => els.map((e) => (e as unknown as Attributed).getAttribute(n)), name);

  const navTexts = (p: Page) => p.getByTestId('nav').locator('a').allInnerTexts();

  beforeAll(async () => {
    requireUiBuild();
    // The encrypted-file backend needs a key: a passphrase here (the keychain may not be there).
    serve = await startServeProcess([], { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'users-ui e2e passphrase' });
    browser = await launchChromium();
    admin = await newContext();
    await admin.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serve.url });
    page = await admin.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    if (!keepShots) rmSync(shots, { recursive: true, force: true });
    if (serve) rmSync(serve.dataDir, { recursive: true, force: true });
  });

  it('shows the first-run screen in a fresh data dir and creates the first Admin with it', async () => {
    await page.goto(serve.url + '/');
    await poll(() => page.getByTestId('first-run').isVisible()).toBe(true);
    // The suggested name is the OS account's, when it is a valid username.
    const os = userInfo().username;
    expect(await page.getByTestId('first-run-username').inputValue()).toBe(usernameSchema.safeParse(os).success ? os : '');
    await screenshot(page, 'first-run-en');

    // The core's 400 problem is shown beside its field.
    await page.getByTestId('first-run-username').fill(ADMIN.username);
    await page.getByTestId('first-run-password').fill('short');
    await page.getByTestId('first-run-password-confirm').fill('short');
    await page.getByTestId('first-run-submit').click();
    await poll(() => page.getByTestId('field-error-password').innerText()).toBe('a password has at least 8 characters');

    await page.getByTestId('first-run-password').fill(ADMIN.password);
    await page.getByTestId('first-run-password-confirm').fill(ADMIN.password + 'x');
    await page.getByTestId('first-run-submit').click();
    expect(await page.getByTestId('first-run-mismatch').innerText()).toBe('The passwords do not match.');

    await page.getByTestId('first-run-password').fill(ADMIN.password);
    await page.getByTestId('first-run-password-confirm').fill(ADMIN.password);
    await page.getByTestId('first-run-submit').click();
    await poll(() => page.getByTestId('user-badge-name').innerText()).toBe(ADMIN.username);
    expect(await page.getByTestId('user-badge-role').innerText()).toBe('Admin');
    expect(await navTexts(page)).toEqual(expect.arrayContaining(['Users', 'Audit log', 'Secrets']));

    // The session is the server's HttpOnly cookie: no page script can read it, nothing is stored.
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('Object.keys(localStorage)')).toEqual([]);
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    const cookies = await admin.cookies(serve.url);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['da_session', true, 'Strict']]);

    // The set-up is done: the first-run procedure answers 409 now, and its status needs credentials.
    const again = await fetch(`${serve.url}/api/auth/first-run`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` }, body: JSON.stringify({ username: 'other', password: 'another-password' }) });
    expect(again.status).toBe(409);
    expect((await fetch(`${serve.url}/api/auth/first-run`)).status).toBe(401);
  });

  it('signs out; a wrong password shows the core’s message, the right one the badge', async () => {
    await page.getByTestId('user-badge').click();
    await page.getByTestId('menu-sign-out').click();
    await poll(() => page.getByTestId('login').isVisible()).toBe(true);
    expect(await page.getByTestId('auth-notice').innerText()).toBe('You are signed out.');
    expect(await page.getByTestId('nav').count()).toBe(0);

    await signIn(page, { username: ADMIN.username, password: 'not-the-password' });
    await poll(() => page.getByTestId('login-error-message').innerText()).toBe('Invalid username or password');
    expect(await page.getByTestId('login-password').inputValue()).toBe('');
    await screenshot(page, 'login-error-en');

    await signIn(page, ADMIN);
    await poll(() => page.getByTestId('user-badge-name').innerText()).toBe(ADMIN.username);
    await poll(() => page.getByTestId('live-indicator').getAttribute('data-state')).toBe('live');
  });

  it('lets the Admin add an Editor and a Viewer, and shows the 409 for the last active Admin', async () => {
    await page.getByTestId('nav-users').click();
    const rows = page.getByTestId('user-row');
    await poll(() => rows.count()).toBe(1);
    for (const [u, role] of [
      [EDITOR, 'Editor'],
      [VIEWER, 'Viewer'],
    ] as const) {
      await page.getByTestId('user-create-username').fill(u.username);
      await page.getByTestId('user-create-password').fill(u.password);
      await page.getByTestId('user-create-role').selectOption(role);
      await page.getByTestId('user-create-submit').click();
      await poll(() => page.getByTestId('users-notice').innerText()).toBe(`Added the user '${u.username}' (${role}).`);
      expect(await page.getByTestId('user-create-password').inputValue()).toBe('');
    }
    await poll(() => rows.count()).toBe(3);
    const row = (name: string) => page.locator(`[data-testid=user-row][data-username="${name}"]`);
    expect(await row(EDITOR.username).getByTestId('user-role').inputValue()).toBe('Editor');
    expect(await row(VIEWER.username).getByTestId('user-role').inputValue()).toBe('Viewer');

    await row(ADMIN.username).getByTestId('user-toggle-active').click();
    await poll(() => page.getByTestId('users-action-error-message').innerText()).toBe(
      "Cannot disable 'admin': 'admin' is the last active Admin. Make another user an active Admin first.",
    );
    expect(await row(ADMIN.username).getAttribute('data-active')).toBe('true');

    // Disable and enable the Viewer: the list shows what the core stored.
    await row(VIEWER.username).getByTestId('user-toggle-active').click();
    await poll(() => row(VIEWER.username).getByTestId('user-state').innerText()).toBe('disabled');
    await row(VIEWER.username).getByTestId('user-toggle-active').click();
    await poll(() => row(VIEWER.username).getByTestId('user-state').innerText()).toBe('active');

    // The Admin resets the Viewer's password (the Viewer signs in with it below).
    await row(VIEWER.username).getByTestId('user-reset-password').click();
    const reset = page.getByTestId('reset-password-dialog');
    await reset.getByTestId('reset-password').fill(VIEWER.newPassword);
    await reset.getByTestId('reset-password-confirm').fill(VIEWER.newPassword);
    await reset.getByTestId('reset-password-submit').click();
    await poll(() => page.getByTestId('users-notice').innerText()).toBe(`The password of ${VIEWER.username} was reset.`);
    expect(await reset.count()).toBe(0);

    // A user added by mistake is deleted after a confirmation.
    await page.getByTestId('user-create-username').fill('mistake');
    await page.getByTestId('user-create-password').fill('Mistake-Pass-1');
    await page.getByTestId('user-create-submit').click();
    await poll(() => rows.count()).toBe(4);
    await row('mistake').getByTestId('user-delete').click();
    await poll(() => page.getByTestId('confirm-dialog').innerText()).toContain("Delete the user 'mistake'?");
    await page.getByTestId('confirm-ok').click();
    await poll(() => page.getByTestId('users-notice').innerText()).toBe("Deleted the user 'mistake'.");
    expect(await rows.count()).toBe(3);
    await screenshot(page, 'users-en');
  });

  it('creates an API token and shows it once: copyable, working, and never shown again', async () => {
    const editorRow = page.locator(`[data-testid=user-row][data-username="${EDITOR.username}"]`);
    await editorRow.getByTestId('user-tokens').click();
    const panel = page.getByTestId('user-tokens-panel');
    await poll(() => panel.getByTestId('tokens-empty').isVisible()).toBe(true);
    await panel.getByTestId('token-name').fill('nightly report');
    await panel.getByTestId('token-expiry').selectOption('90');
    await panel.getByTestId('token-create').click();

    const dialog = page.getByTestId('token-reveal');
    await poll(() => dialog.isVisible()).toBe(true);
    const token = await dialog.getByTestId('token-value').inputValue();
    expect(token).toMatch(/^da_t_[A-Za-z0-9_-]{20,}$/);
    expect(await dialog.getByTestId('token-reveal-warning').innerText()).toContain('shown this once');
    await dialog.getByTestId('token-copy').click();
    await poll(() => dialog.getByTestId('token-copy-state').getAttribute('data-state')).toBe('copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
    await screenshot(page, 'token-once-en');

    // It works for scripts as the Editor.
    const asEditor = await fetch(`${serve.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await asEditor.json()).toMatchObject({ username: EDITOR.username, role: 'Editor', via: 'token' });

    await dialog.getByTestId('token-reveal-close').click();
    await poll(() => dialog.count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    await poll(() => panel.getByTestId('token-row').count()).toBe(1);
    expect(await panel.getByTestId('token-row').getAttribute('data-token-name')).toBe('nightly report');

    // After a reload the token is listed by name only, and no answer carries it.
    const bodies: Promise<string>[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/') && !r.url().includes('/api/events')) bodies.push(r.text().catch(() => ''));
    });
    await page.reload();
    await page.locator(`[data-testid=user-row][data-username="${EDITOR.username}"]`).getByTestId('user-tokens').click();
    await poll(() => page.getByTestId('user-tokens-panel').getByTestId('token-row').count()).toBe(1);
    expect(await page.getByTestId('token-reveal').count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    expect((await Promise.all(bodies)).join('\n')).not.toContain(token);
    page.removeAllListeners('response');
  });

  it('gives every user their own API tokens on the account page, and revokes with a confirmation', async () => {
    await page.getByTestId('user-badge').click();
    await page.getByTestId('menu-account').click();
    await poll(() => page.getByTestId('account-username').innerText()).toBe(ADMIN.username);
    const mine = page.getByTestId('my-tokens');
    await mine.getByTestId('token-name').fill('backup script');
    await mine.getByTestId('token-create').click();
    await poll(() => page.getByTestId('token-reveal').isVisible()).toBe(true);
    await page.getByTestId('token-reveal-close').click();
    await poll(() => mine.getByTestId('token-row').count()).toBe(1);

    await mine.getByTestId('token-revoke').click();
    await poll(() => page.getByTestId('confirm-dialog').innerText()).toContain("Revoke the token 'backup script'?");
    await page.getByTestId('confirm-ok').click();
    await poll(() => mine.getByTestId('tokens-empty').isVisible()).toBe(true);
  });

  it("hides Users, Audit and Secrets from the Viewer, whom the server refuses them anyway", async () => {
    const context = await newContext();
    const viewer = await context.newPage();
    await viewer.goto(serve.url + '/');
    await poll(() => viewer.getByTestId('login').isVisible()).toBe(true);
    // The password the Admin set; the old one no longer works.
    await signIn(viewer, VIEWER);
    await poll(() => viewer.getByTestId('login-error-message').innerText()).toBe('Invalid username or password');
    await signIn(viewer, { username: VIEWER.username, password: VIEWER.newPassword });
    await poll(() => viewer.getByTestId('user-badge-role').innerText()).toBe('Viewer');
    expect(await navTexts(viewer)).toEqual(NAV_EN_VIEWER);
    await screenshot(viewer, 'viewer-en');

    // The same session asking the API directly: refused, naming the permission.
    for (const [path, permission] of [
      ['/api/admin/users', 'manage_users'],
      ['/api/admin/audit', 'view_audit_log'],
      ['/api/secrets', 'manage_secrets'],
      ['/api/secrets/status', 'manage_secrets'],
    ] as const) {
      const r = await context.request.get(serve.url + path);
      expect(r.status(), path).toBe(403);
      expect(await r.json(), path).toMatchObject({ error: { code: 'FORBIDDEN', details: { permission } } });
    }
    // A hidden view opened by its address asks the core, which says no.
    await viewer.goto(serve.url + '/#/secrets');
    await poll(() => viewer.getByTestId('secrets-panel').getAttribute('data-state')).toBe('forbidden');
    expect(await viewer.getByTestId('secrets-panel').innerText()).toContain("The permission 'manage_secrets' is required.");

    // Their own API tokens are theirs to manage.
    await viewer.goto(serve.url + '/#/account');
    await viewer.getByTestId('my-tokens').getByTestId('token-name').fill('dashboard poller');
    await viewer.getByTestId('my-tokens').getByTestId('token-create').click();
    await poll(() => viewer.getByTestId('token-value').inputValue()).toMatch(/^da_t_/);
    await viewer.getByTestId('token-reveal-close').click();
    await context.close();
  });

  it('refuses sign-ins after repeated failures and counts the wait down', async () => {
    const context = await newContext();
    const p = await context.newPage();
    await p.goto(serve.url + '/');
    await poll(() => p.getByTestId('login').isVisible()).toBe(true);
    for (let i = 0; i < 5; i++) {
      await signIn(p, { username: 'mallory', password: `guess-${i}` });
      await poll(() => p.getByTestId('login-error-message').innerText()).toBe('Invalid username or password');
      await poll(() => p.getByTestId('login-submit').isEnabled()).toBe(true);
    }
    await signIn(p, { username: 'mallory', password: 'guess-5' });
    const limited = p.getByTestId('login-rate-limited');
    await poll(() => limited.isVisible()).toBe(true);
    const first = Number(await limited.getAttribute('data-wait'));
    expect(first).toBeGreaterThan(800);
    expect(first).toBeLessThanOrEqual(900);
    expect(await limited.innerText()).toMatch(/You can try again in 1[45] min \d+ s\./);
    expect(await p.getByTestId('login-submit').isDisabled()).toBe(true);
    // The countdown runs on the page's clock.
    await poll(() => limited.getAttribute('data-wait').then(Number)).toBeLessThan(first);
    await context.close();
  });

  it('shows the sign-in failure and the user creations in the Audit view, and filters them', async () => {
    await page.goto(serve.url + '/#/audit');
    const rows = page.getByTestId('audit-row');
    await poll(() => rows.count()).toBeGreaterThan(10);

    // The failed sign-in, found by its action.
    await page.getByTestId('audit-filter-action').fill('auth.login');
    const failure = page.locator('[data-testid=audit-row][data-action="auth.login"][data-result="denied"][data-user="admin"]');
    await poll(() => failure.count()).toBe(1);
    // Stored in UTC, shown in the page's time zone.
    const iso = (await failure.locator('[role=cell]').first().getAttribute('title'))!;
    expect(await failure.locator('[role=cell]').first().innerText()).toBe(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: TIME_ZONE }).format(new Date(iso)));
    expect(await failure.getByTestId('audit-result').innerText()).toBe('denied');
    await failure.getByTestId('audit-details-toggle').click();
    await poll(async () => JSON.parse(await failure.getByTestId('audit-details').innerText()) as unknown).toMatchObject({ reason: 'bad_credentials' });

    await page.getByTestId('audit-filter-action').fill('users.create');
    await poll(() => attrs(rows, 'data-action')).toEqual(['users.create', 'users.create', 'users.create']);
    expect(await attrs(rows, 'data-result')).toEqual(['ok', 'ok', 'ok']);
    // The resource of a user creation is the user.
    expect((await page.locator('[data-testid=audit-row] [role=cell]:nth-child(5)').allInnerTexts()).sort()).toEqual([EDITOR.username, 'mistake', VIEWER.username]);

    await page.getByTestId('audit-filter-action').fill('auth.');
    await page.getByTestId('audit-filter-result').selectOption('denied');
    await poll(async () => [...new Set(await attrs(rows, 'data-result'))]).toEqual(['denied']);
    const actions = (await attrs(rows, 'data-action')) as string[];
    expect(actions.length).toBeGreaterThanOrEqual(7);
    expect(actions.every((a) => a.startsWith('auth.'))).toBe(true);
    expect(await page.locator('[data-testid=audit-row][data-user="mallory"]').count()).toBeGreaterThanOrEqual(6);

    await page.getByTestId('audit-filter-user').fill(VIEWER.username);
    await page.getByTestId('audit-filter-action').fill('');
    // What the Viewer was refused, one entry per request.
    await poll(() => attrs(rows, 'data-action')).toEqual(expect.arrayContaining(['users.list', 'audit.list', 'secrets.list', 'secrets.status']));
    await screenshot(page, 'audit-en');
    // Since a day: tomorrow has nothing yet; today has it all.
    await page.getByTestId('audit-filter-user').fill('');
    await page.getByTestId('audit-filter-since').selectOption('date');
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date(Date.now() + offset * 86_400_000));
    await page.getByTestId('audit-filter-date').fill(day(1));
    await poll(() => page.getByTestId('audit-empty').innerText()).toBe('No entries match.');
    await page.getByTestId('audit-filter-date').fill(day(0));
    await poll(() => rows.count()).toBeGreaterThan(5);
    await page.getByTestId('audit-filter-since').selectOption('15m');
    await poll(() => rows.count()).toBeGreaterThan(5);
    await page.getByTestId('audit-filter-clear').click();
  });

  it('keeps thousands of audit rows fast: only a screenful is in the document', async () => {
    // 1,600 more entries: the Editor's token asking for what Editors may not read (each refusal is audited).
    const token = await createTokenFor(EDITOR.username);
    for (let batch = 0; batch < 80; batch++) {
      await Promise.all(Array.from({ length: 20 }, () => fetch(`${serve.url}/api/admin/users`, { headers: { authorization: `Bearer ${token}` } })));
    }
    await page.reload();
    const list = page.getByTestId('audit-table');
    await poll(() => page.getByTestId('audit-count').innerText()).toBe('200 entries shown');
    for (let n = 400; n <= 1600; n += 200) {
      await page.getByTestId('audit-load-more').click();
      await poll(() => page.getByTestId('audit-count').innerText()).toBe(`${n} entries shown`);
    }
    expect(Number(await list.getAttribute('aria-rowcount'))).toBe(1601);
    const rendered = await page.getByTestId('audit-row').count();
    expect(rendered).toBeLessThan(40);
    expect(Number(await list.getAttribute('data-rendered-rows'))).toBe(rendered);

    // Scrolled to the end: the last rows are rendered, still only a screenful.
    await list.evaluate((el) => {
      const box = el as unknown as { scrollTop: number; scrollHeight: number };
      box.scrollTop = box.scrollHeight;
    });
    await poll(() => page.locator('[role=row][aria-rowindex="1601"]').count()).toBe(1);
    expect(await page.getByTestId('audit-row').count()).toBeLessThan(40);
  });

  async function createTokenFor(username: string): Promise<string> {
    const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;
    const r = await fetch(`${serve.url}/api/admin/users/${username}/tokens`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify({ name: `load ${Date.now()}` }) });
    expect(r.status).toBe(201);
    return ((await r.json()) as { token: string }).token;
  }

  it('stores, lists and deletes a secret without its value ever reaching the page', async () => {
    const bodies: Promise<string>[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/') && !r.url().includes('/api/events')) bodies.push(r.text().catch(() => ''));
    });
    await page.getByTestId('nav-secrets').click();
    await poll(() => page.getByTestId('secrets-status').getAttribute('data-state')).toBe('ready');
    const backends = page.getByTestId('secrets-backend');
    expect(await attrs(backends, 'data-backend')).toEqual(['keychain', 'env', 'file']);
    expect(await page.locator('[data-testid=secrets-backend][data-backend=file]').getAttribute('data-available')).toBe('true');
    if ((await page.locator('[data-testid=secrets-backend][data-backend=keychain]').getAttribute('data-available')) === 'false') {
      // An unavailable backend says why.
      expect(await page.locator('[data-testid=secrets-backend][data-backend=keychain] [data-testid=secrets-backend-reason]').innerText()).not.toBe('');
    }
    await poll(() => page.getByTestId('secrets-empty').isVisible()).toBe(true);

    for (const [service, key] of [
      ['', 'e2e_api_key'],
      ['external_api', 'api_key'],
    ] as const) {
      await page.getByTestId('secret-key').fill(key);
      await page.getByTestId('secret-service').fill(service);
      await page.getByTestId('secret-value').fill(CANARY);
      await page.getByTestId('secret-backend').selectOption('file');
      await page.getByTestId('secret-save').click();
      const ref = `secrets://${service ? `${service}/` : ''}${key}`;
      await poll(() => page.getByTestId('secrets-notice').innerText()).toBe(`Stored ${ref} in the encrypted file (file) backend.`);
      expect(await page.getByTestId('secret-value').inputValue()).toBe('');
    }
    const rows = page.getByTestId('secret-row');
    await poll(async () => (await attrs(rows, 'data-ref')).sort()).toEqual(['secrets://e2e_api_key', 'secrets://external_api/api_key']);
    expect(await attrs(rows, 'data-backend')).toEqual(['file', 'file']);
    expect(await page.content()).not.toContain(CANARY);
    await screenshot(page, 'secrets-en');

    await page.locator('[data-testid=secret-row][data-ref="secrets://e2e_api_key"]').getByTestId('secret-delete').click();
    await poll(() => page.getByTestId('confirm-dialog').innerText()).toContain('Delete secrets://e2e_api_key?');
    await page.getByTestId('confirm-ok').click();
    await poll(() => page.getByTestId('secrets-notice').innerText()).toBe('Deleted secrets://e2e_api_key.');
    await poll(() => attrs(rows, 'data-ref')).toEqual(['secrets://external_api/api_key']);

    // No answer of the core carried the value; the page never showed it.
    const answered = await Promise.all(bodies);
    expect(answered.some((b) => b.includes('external_api'))).toBe(true);
    expect(answered.join('\n')).not.toContain(CANARY);
    expect(await page.content()).not.toContain(CANARY);
    page.removeAllListeners('response');
  });

  it('shows the signed-in screens in Japanese after switching to 日本語', async () => {
    await page.getByTestId('lang-ja').click();
    expect(await navTexts(page)).toEqual(NAV_JA);
    expect(await page.evaluate('document.documentElement.lang')).toBe('ja');
    expect(await page.getByTestId('secrets-status').locator('h3').innerText()).toBe('保存先の状態');
    expect(await page.locator('[data-testid=secrets-backend][data-backend=file] td').first().innerText()).toBe('暗号化ファイル (file)');
    // What was just said is said again in Japanese.
    expect(await page.getByTestId('secrets-notice').innerText()).toBe('secrets://e2e_api_key を削除しました。');
    await screenshot(page, 'secrets-ja');

    await page.getByTestId('nav-users').click();
    await poll(() => page.locator('h2').innerText()).toBe('ユーザーと役割');
    await poll(() => page.getByTestId('users-table').locator('th').allInnerTexts()).toEqual(['ユーザー名', '役割', '状態', '最終サインイン', '作成日時', '操作']);
    await screenshot(page, 'users-ja');

    await page.getByTestId('nav-audit').click();
    await poll(() => page.getByTestId('audit-table').locator('[role=columnheader]').allInnerTexts()).toEqual(['日時', 'ユーザー', '操作', '権限', '対象', '結果', '接続元', '詳細']);
    await poll(() => page.getByTestId('audit-result').first().innerText()).toMatch(/^(許可|拒否|成功|エラー)$/);
    await screenshot(page, 'audit-ja');

    await page.getByTestId('user-badge').click();
    await poll(() => page.getByTestId('user-menu').innerText()).toBe('アカウントと API トークン\nパスワードを変更\nサインアウト');
    await page.getByTestId('menu-sign-out').click();
    await poll(() => page.getByTestId('auth-notice').innerText()).toBe('サインアウトしました。');
    expect(await page.getByTestId('login').locator('h2').innerText()).toBe('サインイン');
    await screenshot(page, 'login-ja');
  });

  it('changes the password: every session ends, and the new password signs in', async () => {
    await signIn(page, ADMIN);
    await poll(() => page.getByTestId('user-badge-name').innerText()).toBe(ADMIN.username);
    await page.getByTestId('user-badge').click();
    await page.getByTestId('menu-change-password').click();
    const dialog = page.getByTestId('change-password-dialog');
    await dialog.getByTestId('current-password').fill('wrong-current-pw');
    await dialog.getByTestId('new-password').fill('Admin-Pass-2027');
    await dialog.getByTestId('new-password-confirm').fill('Admin-Pass-2027');
    await dialog.getByTestId('change-password-submit').click();
    await poll(() => dialog.getByTestId('field-error-current_password').innerText()).toBe('is not your current password');

    await dialog.getByTestId('current-password').fill(ADMIN.password);
    await dialog.getByTestId('change-password-submit').click();
    await poll(() => page.getByTestId('auth-notice').innerText()).toBe('パスワードを変更しました。新しいパスワードでサインインしてください。');
    await signIn(page, { username: ADMIN.username, password: 'Admin-Pass-2027' });
    await poll(() => page.getByTestId('user-badge-name').innerText()).toBe(ADMIN.username);
  });

  it('ran without script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
