import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalView } from '../../src-shared/contract/approvals';
import type { RunView } from '../../src-shared/contract/runs';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The operator's screens in the served UI: a template opened, broken, fixed, saved and run from
 * the Templates view; human_confirm requests appearing live in the Approvals view and decided
 * there, with the runs checked over the API. A real `desktop-agent serve` in a fresh data dir,
 * Debian's Chromium, real users signed in with their passwords. The steps build on each other.
 */
const ADMIN_USER = { username: ADMIN.user, password: ADMIN.password };
const EDITOR = { username: 'hanako', password: 'Editor-Pass-2026' };
const VIEWER = { username: 'taro', password: 'Viewer-Pass-2026' };

const GREETING = `dsl_version: "1.1"
name: "Greeting"
description: "Says hello to a customer"
variables:
  customer: "world"
execution:
  retry: { max_attempts: 1 }
steps:
  - log: { message: "Hello {{customer}}" }
  - wait: { ms: 10 }
`;
const BROKEN = GREETING.replace('- log:', '- lgo:');
const FIXED = GREETING.replace('Hello {{customer}}', 'Good morning {{customer}}');

/** A run that stops at a human_confirm; its details hold markup that must stay text. */
const DEPLOY = (target: string) => `dsl_version: "1.1"
name: "Deploy ${target}"
execution:
  retry: { max_attempts: 1 }
steps:
  - log: { message: "prepared" }
  - human_confirm:
      message: "${target} へのデプロイを実行しますか？"
      timeout_minutes: 30
      risk_level: critical
      details: |
        **対象**: ${target}
        <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>
  - log: { message: "deployed" }
`;

/** Waits for what the page shows; password hashing (scrypt) on a busy machine can take seconds. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 15_000, ...options });

describe('templates and approvals in the served UI', () => {
  let agent: AgentServer;
  let browser: Browser;
  const pageErrors: string[] = [];
  const keepShots = process.env.DA_E2E_SHOTS;
  const shots = keepShots ? (mkdirSync(keepShots, { recursive: true }), keepShots) : mkdtempSync(join(tmpdir(), 'da-operator-ui-'));

  /** A page in its own browser context (its own session cookie), signed in as `who`. */
  const signedIn = async (who: { username: string; password: string }, locale: 'en-US' | 'ja-JP'): Promise<Page> => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale, timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    // An action on something that never appears fails with what it waited for, before the test's own timeout.
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(agent.url + '/');
    await page.getByTestId('login-username').fill(who.username);
    await page.getByTestId('login-password').fill(who.password);
    await page.getByTestId('login-submit').click();
    await poll(() => page.getByTestId('user-badge-name').innerText()).toBe(who.username);
    await poll(() => page.getByTestId('live-indicator').getAttribute('data-state')).toBe('live');
    return page;
  };

  const screenshot = async (p: Page, name: string) => {
    const file = join(shots, `${name}.png`);
    await p.screenshot({ path: file, fullPage: true });
    expect(PNG.sync.read(readFileSync(file)).width, name).toBe(VIEWPORT.width);
  };

  const run = (id: string) => agent.getRun(id);
  const pendingApproval = async (runId: string) => {
    const r = await agent.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending');
    return r.json.items.find((a) => a.run_id === runId);
  };

  beforeAll(async () => {
    requireUiBuild();
    agent = await startAgentServer();
    for (const [u, role] of [
      [EDITOR, 'Editor'],
      [VIEWER, 'Viewer'],
    ] as const) {
      const r = await agent.api('POST', '/api/admin/users', { username: u.username, password: u.password, role });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
    }
    const saved = await agent.api('POST', '/api/templates', { name: 'greeting', yaml: GREETING });
    expect(saved.status, JSON.stringify(saved.json)).toBe(201);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.cleanup();
    if (!keepShots) rmSync(shots, { recursive: true, force: true });
  });

  it('opens a template, shows every problem of a broken one with its line, and saves the fixed one (en)', async () => {
    const page = await signedIn(ADMIN_USER, 'en-US');
    await page.getByTestId('nav-templates').click();
    const row = page.locator('[data-testid=template-row][data-name=greeting]');
    await poll(() => row.getByTestId('template-validity').innerText()).toBe('no problems');
    await row.getByTestId('template-open').click();

    const editor = page.getByTestId('template-editor');
    const text = page.getByTestId('template-yaml-text');
    await poll(() => text.inputValue()).toBe(GREETING);
    expect(await editor.getByTestId('template-source').innerText()).toBe('in the app');
    expect(await page.getByTestId('template-save').isDisabled()).toBe(true);

    // Broken: Validate lists the problem with its place; choosing it puts the cursor there.
    await text.fill(BROKEN);
    expect(await page.getByTestId('template-dirty').innerText()).toBe('Unsaved changes');
    await page.getByTestId('template-validate').click();
    const problem = page.getByTestId('template-problem');
    await poll(() => problem.count()).toBe(1);
    expect(await page.getByTestId('template-error-count').innerText()).toBe('1 problem. Choose one to go to its line.');
    expect(await problem.innerText()).toContain("line 9, column 5 steps[0].lgo unknown action 'lgo' (did you mean 'log'?)");
    expect(await page.locator('.gutter-line.problem').allInnerTexts()).toEqual(['9']);
    await problem.getByRole('button').click();
    const position = page.getByTestId('template-yaml-position');
    await poll(() => position.innerText()).toBe('Line 9, column 5');
    expect(await text.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart)).toBe(BROKEN.indexOf('lgo:'));
    await screenshot(page, 'template-problem-en');

    // A save of the broken text is refused by the core with the same problem, and nothing changes.
    await page.getByTestId('template-save').click();
    await poll(() => page.getByTestId('template-action-error-message').innerText()).toContain("unknown action 'lgo'");
    expect(await problem.getAttribute('data-line')).toBe('9');
    expect((await agent.api<{ yaml: string }>('GET', '/api/templates/greeting')).json.yaml).toBe(GREETING);

    // Fixed: no problems; saved; the core holds the new text.
    await text.fill(FIXED);
    expect(await page.getByTestId('template-problems').getAttribute('data-stale')).toBe('true');
    await page.getByTestId('template-validate').click();
    await poll(() => page.getByTestId('template-valid').innerText()).toBe('No problems found.');
    await page.getByTestId('template-save').click();
    await poll(() => page.getByTestId('templates-notice').innerText()).toBe('Saved template greeting.');
    expect((await agent.api<{ yaml: string; updated_by: string }>('GET', '/api/templates/greeting')).json).toMatchObject({ yaml: FIXED, updated_by: ADMIN.user });
    await poll(() => page.getByTestId('template-dirty').count()).toBe(0);
  });

  it('runs the saved template: a dry run, then a real one with a variable, priority and queue; the run id is shown', async () => {
    const page = await signedIn(ADMIN_USER, 'en-US');
    await page.getByTestId('nav-templates').click();
    await page.locator('[data-testid=template-row][data-name=greeting]').getByTestId('template-open').click();
    const form = page.getByTestId('run-form');
    // The template's variables are offered with their defaults.
    await poll(() => form.getByTestId('run-var-key').inputValue()).toBe('customer');
    expect(await form.getByTestId('run-var-value').inputValue()).toBe('world');

    await form.getByTestId('run-dry').check();
    expect(await form.getByTestId('run-submit').innerText()).toBe('Start dry run');
    await form.getByTestId('run-submit').click();
    const queued = form.getByTestId('run-queued');
    await poll(() => queued.count()).toBe(1);
    const dryId = (await form.getByTestId('run-id').innerText()).trim();
    expect(dryId).toMatch(/^run_/);
    expect(await queued.innerText()).toContain(`Dry run queued. Run ID: ${dryId}`);
    const dry = await agent.waitForRun(dryId);
    expect(dry).toMatchObject({ template: 'greeting', dry_run: true, status: 'succeeded', requested_by: ADMIN.user });

    await form.getByTestId('run-dry').uncheck();
    await form.getByTestId('run-var-value').fill('山田 太郎');
    await form.getByTestId('run-var-add').click();
    await form.getByTestId('run-var-key').nth(1).fill('customer');
    await form.getByTestId('run-var-value').nth(1).fill('again');
    expect(await form.getByTestId('run-var-error').innerText()).toBe('The variable customer is given twice.');
    expect(await form.getByTestId('run-submit').isDisabled()).toBe(true);
    await form.getByTestId('run-var-remove').nth(1).click();
    await form.getByTestId('run-priority').selectOption('2');
    await form.getByTestId('run-queue').selectOption('background');
    await form.getByTestId('run-submit').click();
    await poll(async () => (await form.getByTestId('run-id').innerText()).trim()).not.toBe(dryId);
    const realId = (await form.getByTestId('run-id').innerText()).trim();
    expect(await queued.innerText()).toContain(`Run queued. Run ID: ${realId}`);
    expect(await queued.innerText()).toContain('Queue background, priority 2');
    const real: RunView = await agent.waitForRun(realId);
    expect(real).toMatchObject({ dry_run: false, status: 'succeeded', queue: 'background', priority: 2 });
    expect(real.steps[0]!.result).toMatchObject({ message: 'Good morning 山田 太郎' });
    await screenshot(page, 'template-run-en');
  });

  it('shows a human_confirm request live in the Approvals view and approves it with a comment (ja)', async () => {
    const page = await signedIn(EDITOR, 'ja-JP');
    await page.getByTestId('nav-approvals').click();
    await poll(() => page.getByTestId('approvals-empty').innerText()).toBe('承認待ちの依頼はありません。');

    expect(await page.getByTestId('nav-approvals-count').count()).toBe(0);
    const runId = await agent.enqueue(DEPLOY('本番'));
    // No reload: approval.requested arrives over the event stream.
    const card = page.locator(`[data-testid=approval][data-run-id="${runId}"]`);
    await poll(() => card.count()).toBe(1);
    expect(await page.getByTestId('nav-approvals-count').innerText()).toBe('1');
    expect(await page.getByTestId('nav-approvals-count').getAttribute('aria-label')).toBe('承認待ち 1 件');
    expect((await run(runId)).status).toBe('waiting_approval');
    expect(await card.getByTestId('approval-message').innerText()).toBe('本番 へのデプロイを実行しますか？');
    expect(await card.getByTestId('approval-risk').innerText()).toBe('リスク：重大');
    expect(await card.getAttribute('class')).toContain('risk-critical');
    expect(await card.getByTestId('approval-requester').innerText()).toBe(ADMIN.user);
    expect(await card.getByTestId('approval-template').innerText()).toBe((await pendingApproval(runId))!.template);
    expect(await card.getByTestId('approval-time-left').innerText()).toMatch(/^（残り (2\d|30) 分 \d+ 秒）$/);
    // Markdown and markup are shown as the text they are: nothing became HTML or ran.
    expect(await card.getByTestId('approval-details').innerText()).toBe('**対象**: 本番\n<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\n');
    expect(await card.locator('img, script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await screenshot(page, 'approval-pending-ja');

    await card.getByTestId('approval-comment').fill('確認しました。実施してください');
    await card.getByTestId('approval-approve').click();
    await poll(() => page.getByTestId('approvals-notice').innerText()).toBe(`承認しました（実行 ${runId} は次のステップへ進みます）。`);
    await poll(() => card.count()).toBe(0);
    expect(await page.getByTestId('nav-approvals-count').count()).toBe(0);
    const done = await agent.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    expect(done.steps[1]!.result).toMatchObject({ approved: true, decided_by: EDITOR.username, comment: '確認しました。実施してください' });

    // Decided requests can be shown too, with who decided and the comment.
    await page.getByTestId('approvals-show-decided').check();
    const decided = page.locator(`[data-testid=approval][data-run-id="${runId}"]`);
    await poll(() => decided.getByTestId('approval-outcome').innerText()).toContain('承認 （hanako）');
    expect(await decided.getByTestId('approval-outcome').innerText()).toContain('コメント：確認しました。実施してください');
    expect(await decided.getByTestId('approval-approve').count()).toBe(0);
    await page.getByTestId('approvals-show-decided').uncheck();

    // The Templates view in Japanese, as an Editor sees it.
    await page.getByTestId('nav-templates').click();
    const row = page.locator('[data-testid=template-row][data-name=greeting]');
    await poll(() => row.getByTestId('template-validity').innerText()).toBe('問題なし');
    await row.getByTestId('template-open').click();
    await poll(() => page.getByTestId('template-yaml-text').inputValue()).toBe(FIXED);
    expect(await page.getByTestId('template-validate').innerText()).toBe('検証');
    expect(await page.getByTestId('template-save').innerText()).toBe('保存');
    expect(await page.getByTestId('template-delete').innerText()).toBe('削除');
    expect(await page.getByTestId('run-submit').innerText()).toBe('実行');
    expect(await page.getByTestId('template-yaml-position').innerText()).toBe('1 行 1 列');
    await screenshot(page, 'template-ja');
  });

  it('denies another request; the run fails with "denied by <user>"; a request decided elsewhere shows the core’s 409 (ja)', async () => {
    const page = await signedIn(EDITOR, 'ja-JP');
    await page.getByTestId('nav-approvals').click();
    const denyId = await agent.enqueue(DEPLOY('経理システム'));
    const card = page.locator(`[data-testid=approval][data-run-id="${denyId}"]`);
    await poll(() => card.count()).toBe(1);
    await card.getByTestId('approval-comment').fill('金額が違います');
    await card.getByTestId('approval-deny').click();
    await poll(() => page.getByTestId('approvals-notice').innerText()).toBe(`却下しました（実行 ${denyId} の承認ステップは失敗します）。`);
    const denied = await agent.waitForRun(denyId);
    expect(denied.status).toBe('failed');
    expect(denied.error).toContain(`denied by ${EDITOR.username}: 金額が違います`);

    // Someone else decides while this page still shows the request: its list reads are held back,
    // so the page offers the buttons, and the core answers 409 with what happened.
    const lateId = await agent.enqueue(DEPLOY('人事システム'));
    const late = page.locator(`[data-testid=approval][data-run-id="${lateId}"]`);
    await poll(() => late.count()).toBe(1);
    const held: Route[] = [];
    let holding = true;
    const isList = (url: URL) => url.pathname === '/api/approvals';
    await page.route(isList, (route) => void (holding ? held.push(route) : route.continue()));
    const approval = (await pendingApproval(lateId))!;
    const other = await agent.api('POST', `/api/approvals/${approval.id}/approve`, { comment: 'by the admin' });
    expect(other.status).toBe(200);
    await late.getByTestId('approval-deny').click();
    await poll(() => page.getByTestId('approval-action-error-message').innerText()).toBe(`Approval ${approval.id} was already decided (approved by ${ADMIN.user})`);
    expect(await page.getByTestId('approval-action-error').getAttribute('data-code')).toBe('ALREADY_DECIDED');
    expect(await page.getByTestId('approval-action-error').innerText()).toContain('決定できませんでした');
    holding = false;
    for (const r of held) await r.continue();
    await page.unroute(isList);
    await poll(() => late.count()).toBe(0);
    expect((await agent.waitForRun(lateId)).status).toBe('succeeded');
  });

  it('shows the Viewer templates and requests without any save, run or approve button (en)', async () => {
    const waitingId = await agent.enqueue(DEPLOY('viewer check'));
    await agent.waitForRun(waitingId, (r) => r.status === 'waiting_approval');
    const page = await signedIn(VIEWER, 'en-US');
    // Whatever view is open, the navigation says how many approvals wait.
    await poll(() => page.getByTestId('nav-approvals-count').innerText()).toBe('1');
    expect(await page.getByTestId('nav-approvals-count').getAttribute('aria-label')).toBe('1 waiting for approval');
    await page.getByTestId('nav-templates').click();
    await page.locator('[data-testid=template-row][data-name=greeting]').getByTestId('template-open').click();
    await poll(() => page.getByTestId('template-yaml-text').inputValue()).toBe(FIXED);
    expect(await page.getByTestId('template-yaml-text').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByTestId('template-editor').innerText()).toContain('Read-only (editing, validating and running need a higher role).');
    for (const id of ['template-new', 'template-validate', 'template-save', 'template-delete', 'run-form', 'run-submit']) expect(await page.getByTestId(id).count(), id).toBe(0);

    // Someone saves a new version meanwhile: the open editor says so, and loads it when asked.
    const newer = FIXED.replace('Good morning', 'Good evening');
    expect((await agent.api('POST', '/api/templates', { name: 'greeting', yaml: newer })).status).toBe(201);
    await poll(() => page.getByTestId('template-elsewhere').innerText()).toContain('This template was changed elsewhere since you opened it.');
    expect(await page.getByTestId('template-yaml-text').inputValue()).toBe(FIXED);
    await page.getByTestId('template-reload').click();
    await poll(() => page.getByTestId('template-yaml-text').inputValue()).toBe(newer);
    expect(await page.getByTestId('template-elsewhere').count()).toBe(0);

    await page.getByTestId('nav-approvals').click();
    const card = page.locator(`[data-testid=approval][data-run-id="${waitingId}"]`);
    await poll(() => card.count()).toBe(1);
    expect(await card.getByTestId('approval-blocked').innerText()).toBe('Your role cannot approve or deny (it needs the respond_hitl permission).');
    expect(await card.getByTestId('approval-approve').count()).toBe(0);
    expect(await card.getByTestId('approval-deny').count()).toBe(0);
    // The server refuses the Viewer as the page said it would.
    const basic = `Basic ${Buffer.from(`${VIEWER.username}:${VIEWER.password}`).toString('base64')}`;
    const refused = await fetch(`${agent.url}/api/approvals/${(await pendingApproval(waitingId))!.id}/approve`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
    await screenshot(page, 'approvals-viewer-en');
  });

  it('writes a new template and saves it; deletes templates after a confirmation (en)', async () => {
    const page = await signedIn(ADMIN_USER, 'en-US');
    await page.getByTestId('nav-templates').click();
    await page.getByTestId('template-new').click();
    await page.getByTestId('template-name').fill('morning_check');
    // Validate says which steps the pre-run risk check weighs, with their level.
    const risky = `${(await page.getByTestId('template-yaml-text').inputValue()).trimEnd()}\n  - delete_files: { paths: ["/tmp/da-never-there.txt"] }\n`;
    await page.getByTestId('template-yaml-text').fill(risky);
    await page.getByTestId('template-validate').click();
    await poll(() => page.getByTestId('template-risk').getAttribute('data-level')).toBe('high');
    expect(await page.getByTestId('template-risk-step').innerText()).toBe('steps[1] delete_files (high): deletes 1 file(s)');
    await page.getByTestId('template-save').click();
    await poll(() => page.getByTestId('templates-notice').innerText()).toBe('Created template morning_check.');
    await poll(() => page.getByTestId('template-editor').getAttribute('data-name')).toBe('morning_check');
    await poll(() => page.locator('[data-testid=template-row][data-name=morning_check]').count()).toBe(1);
    expect((await agent.api<{ title: string; valid: boolean }>('GET', '/api/templates/morning_check')).json).toMatchObject({ title: 'New template', valid: true });
    await page.getByTestId('template-delete').click();
    await page.getByTestId('confirm-ok').click();
    await poll(() => page.getByTestId('templates-notice').innerText()).toBe('Deleted template morning_check.');
    expect(await page.getByTestId('template-editor').count()).toBe(0);

    await page.locator('[data-testid=template-row][data-name=greeting]').getByTestId('template-open').click();
    await page.getByTestId('template-delete').click();
    await poll(() => page.getByTestId('confirm-dialog').innerText()).toContain('Delete template greeting? This cannot be undone.');
    await page.getByTestId('confirm-ok').click();
    await poll(() => page.getByTestId('templates-notice').innerText()).toBe('Deleted template greeting.');
    await poll(() => page.locator('[data-testid=template-row][data-name=greeting]').count()).toBe(0);
    expect((await agent.api('GET', '/api/templates/greeting')).status).toBe(404);
  });

  it('ran without script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
