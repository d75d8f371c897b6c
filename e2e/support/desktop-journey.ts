import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';

/**
 * The journey of issue 17's "Must show", as a person does it in the app's window, the same in a
 * browser on `serve` and in the Electron window: drop two template files (one saved, one refused
 * with its line), run the saved one, watch it progress live, open its detail, approve its request
 * in the dialog, see it complete; create a user and change their role; switch ja/en. Each step
 * asserts what is on screen; `shot` keeps a screenshot of it.
 */

/** Saved by the drop: it works for a few seconds, then waits for an approval. */
export const JOURNEY_TEMPLATE = `dsl_version: "1.1"
name: "Invoice run"
execution:
  retry: { max_attempts: 1 }
steps:
  - log: { message: "prepared" }
  - wait: { ms: 3000 }
  - wait: { ms: 3000 }
  - human_confirm:
      message: "請求書を送付しますか？"
      timeout_minutes: 30
      risk_level: high
  - log: { message: "sent" }
`;

/** Refused by the drop: `lgo` on line 5 is no action. */
export const JOURNEY_BROKEN = `dsl_version: "1.1"
name: "Broken"
steps:
  - log: { message: "ok" }
  - lgo: { message: "typo" }
`;

export interface JourneyHost {
  page: Page;
  /** Where screenshots go. */
  shots: string;
  /** The core's view of a run, read over the API (what the screen must agree with). */
  runStatus(runId: string): Promise<string>;
}

const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout });

export async function shot(host: JourneyHost, name: string): Promise<void> {
  const file = join(host.shots, `${name}.png`);
  await host.page.screenshot({ path: file, fullPage: true });
  expect(PNG.sync.read(readFileSync(file)).width, name).toBeGreaterThan(600);
}

/**
 * Drops files on the window as the OS does: a DataTransfer holding File objects, through
 * dragenter, dragover and drop (Playwright has no native file drag; these are the DOM events a
 * real drag fires, with real files in them).
 */
export async function dropFiles(page: Page, target: string, files: { name: string; text: string }[]): Promise<void> {
  const transfer = await page.evaluateHandle(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) dt.items.add(new File([f.text], f.name, { type: 'application/yaml' }));
    return dt;
  })()`);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(target, type, { dataTransfer: transfer });
}

/** Signs in on the sign-in screen the page shows, then waits until the window is signed in and live. */
export async function signIn(page: Page, account: { user: string; password: string }): Promise<void> {
  await page.getByTestId('login-username').fill(account.user);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await poll(() => page.getByTestId('user-badge-name').innerText(), 20_000).toBe(account.user);
  await poll(() => page.getByTestId('live-indicator').getAttribute('data-state'), 20_000).toBe('live');
}

/** Drop two files → one saved, one refused with its line; returns nothing, the template `invoice_run` is saved. */
export async function dropTemplates(host: JourneyHost): Promise<void> {
  const { page } = host;
  // Dropped on another view: the window takes it and shows the Templates view.
  await page.getByTestId('nav-dashboard').click();
  await dropFiles(page, '[data-testid=view-dashboard]', [
    { name: 'invoice_run.yaml', text: JOURNEY_TEMPLATE },
    { name: 'broken.yaml', text: JOURNEY_BROKEN },
  ]);
  await poll(() => page.getByTestId('view-templates').count()).toBe(1);
  const result = (file: string) => page.locator(`[data-testid=template-drop-result][data-file="${file}"]`);
  await poll(() => result('invoice_run.yaml').getAttribute('data-state')).toBe('saved');
  expect(await result('invoice_run.yaml').getByTestId('template-drop-saved').innerText()).toBe('Saved as invoice_run.');
  await poll(() => result('broken.yaml').getAttribute('data-state')).toBe('refused');
  const issue = result('broken.yaml').getByTestId('template-drop-issue');
  expect(await issue.getAttribute('data-line')).toBe('5');
  expect(await issue.innerText()).toContain("line 5, column 5 steps[1].lgo unknown action 'lgo' (did you mean 'log'?)");
  await poll(() => page.locator('[data-testid=template-row][data-name=invoice_run]').count()).toBe(1);
  expect(await page.locator('[data-testid=template-row][data-name=broken]').count()).toBe(0);
  await shot(host, '1-dropped-one-saved-one-refused');

  // The same file again: the name clashes; cancel keeps what is there.
  await dropFiles(page, '[data-testid=view-templates]', [{ name: 'invoice_run.yaml', text: JOURNEY_TEMPLATE }]);
  const clash = page.getByTestId('template-drop-clash');
  await poll(() => clash.count()).toBe(1);
  expect(await clash.innerText()).toContain('A template named invoice_run already exists.');
  expect(await clash.getByTestId('template-drop-keep-both').innerText()).toBe('Keep both (save as invoice_run_2)');
  await shot(host, '2-name-clash');
  await clash.getByTestId('template-drop-cancel').click();
  await poll(() => clash.count()).toBe(0);
}

/** Run the saved template, watch it live in its detail, approve its request in the dialog, see it complete. */
export async function runAndApprove(host: JourneyHost): Promise<string> {
  const { page } = host;
  await page.locator('[data-testid=template-row][data-name=invoice_run]').getByTestId('template-open').click();
  const form = page.getByTestId('run-form');
  await form.getByTestId('run-submit').click();
  await poll(() => form.getByTestId('run-id').count()).toBe(1);
  const runId = (await form.getByTestId('run-id').innerText()).trim();

  // The Runs view and the run's detail follow it live (no reload).
  await page.getByTestId('nav-runs').click();
  const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  await poll(() => row.count()).toBe(1);
  await row.click();
  const detail = page.getByTestId('run-detail');
  const status = detail.getByTestId('run-status');
  const steps = detail.getByTestId('run-step');
  await poll(() => status.getAttribute('data-status')).toBe('running');
  const seenRunning = await steps.count();
  expect(seenRunning).toBeLessThan(3);
  await shot(host, '3-run-in-progress');
  await poll(() => status.getAttribute('data-status')).toBe('waiting_approval');
  expect(await steps.count()).toBeGreaterThan(seenRunning);
  expect(await status.innerText()).toBe('Waiting for approval');
  await shot(host, '4-run-waits-for-approval');

  // A notification's click opens the request's dialog (#/approvals/<id>); approve there.
  await page.getByTestId('nav-approvals').click();
  const card = page.locator(`[data-testid=approval][data-run-id="${runId}"]`);
  await poll(() => card.count()).toBe(1);
  const approvalId = await card.getAttribute('data-id');
  await page.evaluate(`location.hash = ${JSON.stringify(`#/approvals/${approvalId}`)}`);
  const dialog = page.getByTestId('approval-dialog');
  await poll(() => dialog.isVisible()).toBe(true);
  expect(await dialog.getByTestId('approval-message').innerText()).toBe('請求書を送付しますか？');
  await shot(host, '5-approval-dialog');
  await dialog.getByTestId('approval-approve').click();
  await poll(() => dialog.count()).toBe(0);
  await poll(() => page.getByTestId('approvals-notice').innerText()).toBe(`Approved: run ${runId} continues with its next step.`);

  await page.evaluate(`location.hash = ${JSON.stringify(`#/runs/${runId}`)}`);
  await poll(() => page.getByTestId('run-detail').getByTestId('run-status').getAttribute('data-status')).toBe('succeeded');
  expect(await host.runStatus(runId)).toBe('succeeded');
  await shot(host, '6-run-succeeded');
  return runId;
}

/** Create a user and change their role; the list shows what the core stored. */
export async function createUserAndChangeRole(host: JourneyHost): Promise<void> {
  const { page } = host;
  await page.getByTestId('nav-users').click();
  await page.getByTestId('user-create-username').fill('kenji');
  await page.getByTestId('user-create-password').fill('Kenji-Pass-2026');
  await page.getByTestId('user-create-role').selectOption('Runner');
  await page.getByTestId('user-create-submit').click();
  await poll(() => page.getByTestId('users-notice').innerText()).toBe("Added the user 'kenji' (Runner).");
  const row = page.locator('[data-testid=user-row][data-username="kenji"]');
  await row.getByTestId('user-role').selectOption('Editor');
  await poll(() => row.getByTestId('user-role').inputValue()).toBe('Editor');
  // Read back from the core: away and back to the view.
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('nav-users').click();
  await poll(() => page.locator('[data-testid=user-row][data-username="kenji"]').getByTestId('user-role').inputValue()).toBe('Editor');
  await shot(host, '7-user-role-changed');
}

/** Switch to Japanese and back: the navigation and the drop panel in each language. */
export async function switchLanguages(host: JourneyHost): Promise<void> {
  const { page } = host;
  await page.getByTestId('lang-ja').click();
  await poll(() => page.getByTestId('nav-templates').innerText()).toBe('テンプレート');
  await page.getByTestId('nav-templates').click();
  await poll(() => page.getByTestId('template-drop').locator('h3').innerText()).toBe('ファイルからテンプレートを追加');
  expect(await page.evaluate('document.documentElement.lang')).toBe('ja');
  await shot(host, '8-japanese');
  // The dashboard's charts speak Japanese too (uPlot's own legend says "Time").
  await page.getByTestId('nav-dashboard').click();
  await poll(() => page.getByTestId('chart-runs').locator('.u-legend .u-label').first().innerText()).toBe('時間帯');
  await shot(host, '9-japanese-dashboard');
  await page.getByTestId('nav-templates').click();
  await page.getByTestId('lang-en').click();
  await poll(() => page.getByTestId('nav-templates').innerText()).toBe('Templates');
  expect(await page.getByTestId('template-drop').locator('h3').innerText()).toBe('Add templates from files');
}

/** The journey after sign-in as tests, in order, for a host made ready in beforeAll. */
export function journeyTests(host: () => JourneyHost): void {
  it('drops two template files on the window: one saved, one refused with its line; a clash asks', async () => {
    await dropTemplates(host());
  }, 90_000);

  it('runs the saved template, shows it progress live, and approves its request in the dialog until it completes', async () => {
    await runAndApprove(host());
  }, 120_000);

  it('creates a user and changes their role', async () => {
    await createUserAndChangeRole(host());
  }, 60_000);

  it('switches between Japanese and English', async () => {
    await switchLanguages(host());
  }, 60_000);
}
