import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import { pageCountOf, writePdf } from '../../test-support/files';
import { readBody } from '../../test-support/raw-http';
import { startTestSite, type TestSite } from '../../test-support/web-test-site';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';
import { ADMIN, startAgentServer, type AgentServer } from '../support/serve-api';
import { CLI, ROOT } from '../support/serve-process';

/**
 * Every shipped template (configs/templates/, issue 14 "Must show") runs to success on prepared
 * inputs from each of the three ways a user starts one: the Templates screen's Run form in
 * Chromium, `POST /api/runs`, and `desktop-agent run FILE` (handed to the running serve, which owns
 * the data dir). Inputs are real: PDFs and aged files in a temp folder (inside the default
 * files.allowed_roots), a CSV and a local contact form, a local API that records what it is sent.
 * No shipped template sends mail (weekly_report saves a draft) or needs a desktop display.
 */
const SHIPPED = join(ROOT, 'configs', 'templates');
const DAY = 86_400_000;
const WAYS = ['ui', 'api', 'cli'] as const;
type Way = (typeof WAYS)[number];

interface Prepared {
  variables: Record<string, string>;
  /** Checks the run's real effect once it succeeded. */
  check(run: RunView): Promise<void> | void;
}

interface ApiCall {
  url: string;
  method: string;
  authorization?: string;
  apiKey?: string;
  body: string;
}

let agent: AgentServer;
let browser: Browser;
let page: Page;
let site: TestSite;
let apiSink: Server;
let apiBase: string;
const apiCalls: ApiCall[] = [];
const work = mkdtempSync(join(tmpdir(), 'da-all-templates-'));

const age = (path: string, days: number) => {
  const t = new Date(Date.now() - days * DAY);
  utimesSync(path, t, t);
};

/** A fresh folder per template and way, so each run's effect is its own. */
const folder = (template: string, way: Way) => {
  const dir = join(work, `${template}-${way}`, '受信 トレイ');
  mkdirSync(dir, { recursive: true });
  return dir;
};

const PREPARE: Record<string, (way: Way) => Promise<Prepared>> = {
  async weekly_report(way) {
    const inbox = folder('weekly', way);
    const reports = join(inbox, '..', 'Reports 報告');
    await writePdf(join(inbox, '営業 週報.pdf'), 2, 'sales');
    await writePdf(join(inbox, 'dev report.pdf'), 3, 'dev');
    await writePdf(join(inbox, 'old.pdf'), 1, 'old');
    age(join(inbox, 'old.pdf'), 30);
    return {
      variables: { inbox, reports, to: 'boss@example.com' },
      async check(run) {
        expect(readdirSync(inbox)).toEqual(['old.pdf']);
        const [date] = readdirSync(reports);
        const dest = join(reports, date!);
        expect(readdirSync(dest).sort()).toEqual([`${date}_01_dev report.pdf`, `${date}_02_営業 週報.pdf`, `summary-${date}.pdf`, `weekly-report-${date}.pdf`]);
        expect(await pageCountOf(join(dest, `weekly-report-${date}.pdf`))).toBe(5);
        expect(await pageCountOf(join(dest, `summary-${date}.pdf`))).toBe(1);
        // The mail is a draft in the run's artifacts, nothing is sent.
        const draft = await agent.artifact(run.id, `weekly-report-${date}.eml`);
        expect(draft.status).toBe(200);
        expect(draft.body.toString('utf8')).toContain('boss@example.com');
      },
    };
  },
  async downloads_tidy(way) {
    const downloads = folder('downloads', way);
    const files: Record<string, number> = { '請求書.pdf': 3, 'photo.jpg': 5, 'data.zip': 2, '議事録.docx': 4, 'fresh.pdf': 0, 'movie.mp4.crdownload': 5 };
    for (const [name, days] of Object.entries(files)) {
      writeFileSync(join(downloads, name), name);
      age(join(downloads, name), days);
    }
    return {
      variables: { downloads },
      check() {
        expect(readdirSync(join(downloads, 'PDF'))).toEqual(['請求書.pdf']);
        expect(readdirSync(join(downloads, 'Images'))).toEqual(['photo.jpg']);
        expect(readdirSync(join(downloads, 'Archives'))).toEqual(['data.zip']);
        expect(readdirSync(join(downloads, 'Documents'))).toEqual(['議事録.docx']);
        expect(readdirSync(downloads).sort()).toEqual(['Archives', 'Documents', 'Images', 'PDF', 'fresh.pdf', 'movie.mp4.crdownload']);
      },
    };
  },
  async csv_to_form(way) {
    const dir = folder('csv', way);
    const csv = join(dir, 'contacts.csv');
    writeFileSync(csv, `氏名,メール,件名,本文\n山田 太郎,taro-${way}@example.com,見積依頼,A4 を 100 部\n佐藤 花子,hanako-${way}@example.com,資料請求,カタログをください\n`);
    return {
      variables: { csv, form_url: `${site.url}/contact` },
      check(run) {
        const mine = site.submissions.filter((s) => String(s.fields.email).endsWith(`-${way}@example.com`));
        expect(mine.map((s) => [s.fields.name, s.fields.email, s.fields.subject])).toEqual([
          ['山田 太郎', `taro-${way}@example.com`, '見積依頼'],
          ['佐藤 花子', `hanako-${way}@example.com`, '資料請求'],
        ]);
        expect(run.steps[2]!.artifacts.map((a) => a.name)).toEqual(['row-1.png', 'row-2.png']);
      },
    };
  },
  async secure_api_call(way) {
    const target = `staging-${way}`;
    return {
      variables: { api_base: apiBase, target },
      check(run) {
        // The keys reach the API from the secrets backend; the deployment after the approval.
        expect(apiCalls).toContainEqual({ url: '/data', method: 'GET', authorization: 'Bearer sk-all-templates-1', apiKey: 'ext-all-templates-2', body: '' });
        const deploy = apiCalls.find((c) => c.url === '/deploy' && c.body.includes(`"${target}"`));
        expect(deploy).toMatchObject({ method: 'POST', authorization: 'Bearer sk-all-templates-1' });
        expect(JSON.parse(deploy!.body)).toEqual({ target, approved_by: ADMIN.user });
        expect(run.steps[3]!.result).toMatchObject({ message: `Deployed to ${target}: HTTP 202` });
      },
    };
  },
};

/** `desktop-agent run FILE --var …` from another shell: its own environment, the serve's data dir. */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', agent.dataDir], { cwd: SHIPPED, env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end();
  });
}

/** Starts the template one way; the run id. */
async function start(template: string, way: Way, variables: Record<string, string>): Promise<string> {
  if (way === 'api') {
    const yaml = readFileSync(join(SHIPPED, `${template}.yaml`), 'utf8');
    return agent.enqueue(yaml, variables);
  }
  if (way === 'cli') {
    const r = await cli(['run', `${template}.yaml`, ...Object.entries(variables).flatMap(([k, v]) => ['--var', `${k}=${v}`])]);
    const runId = /^Run (run_\S+):/m.exec(r.stderr)?.[1];
    expect(runId, r.stderr).toBeDefined();
    // 0 when it finished, 1 when it waits for an approval the instance will continue after.
    expect([0, 1], r.stderr).toContain(r.code);
    return runId!;
  }
  await page.goto(`${agent.url}/#/templates`);
  await page.locator(`[data-testid=template-row][data-name="${template}"]`).getByTestId('template-open').click();
  const form = page.getByTestId('run-form');
  const keys = form.getByTestId('run-var-key');
  await expect.poll(() => keys.count(), { timeout: 20_000 }).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(variables)) {
    const rows = await keys.evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    const at = rows.indexOf(name);
    expect(at, `the Run form offers the variable ${name} (it offers ${rows.join(', ')})`).toBeGreaterThanOrEqual(0);
    await form.getByTestId('run-var-value').nth(at).fill(value);
  }
  const before = (await form.getByTestId('run-id').count()) ? await form.getByTestId('run-id').innerText() : '';
  await form.getByTestId('run-submit').click();
  await expect.poll(async () => ((await form.getByTestId('run-id').count()) ? (await form.getByTestId('run-id').innerText()).trim() : ''), { timeout: 20_000 }).not.toBe(before.trim());
  const runId = (await form.getByTestId('run-id').innerText()).trim();
  expect(runId).toMatch(/^run_/);
  return runId;
}

/** Waits for the end of the run, approving its human_confirm request (as the Admin) when it asks. */
async function finish(runId: string): Promise<RunView> {
  for (;;) {
    const run = await agent.waitForRun(runId, (r) => ['succeeded', 'failed', 'cancelled', 'waiting_approval'].includes(r.status), 120_000);
    if (run.status !== 'waiting_approval') return run;
    const pending = await agent.api<{ items: { id: string; run_id: string }[] }>('GET', '/api/approvals?status=pending');
    const approval = pending.json.items.find((a) => a.run_id === runId);
    if (approval) expect((await agent.api('POST', `/api/approvals/${approval.id}/approve`, { comment: 'e2e' })).status).toBe(200);
    await agent.waitForRun(runId, (r) => r.status !== 'waiting_approval', 30_000);
  }
}

beforeAll(async () => {
  requireUiBuild();
  site = await startTestSite();
  apiSink = createServer((req, res) => {
    void readBody(req).then((body) => {
      apiCalls.push({ url: req.url!, method: req.method!, authorization: req.headers.authorization, apiKey: req.headers['x-api-key'] as string | undefined, body });
      res.writeHead(req.url === '/deploy' ? 202 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/deploy' ? { queued: true } : { version: '2.4.0' }));
    });
  });
  await new Promise<void>((r) => apiSink.listen(0, '127.0.0.1', r));
  apiBase = `http://127.0.0.1:${(apiSink.address() as AddressInfo).port}`;
  // No D-Bus session: the secrets go to the encrypted file, through the API as a user stores them.
  agent = await startAgentServer({ env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'all templates passphrase', DBUS_SESSION_BUS_ADDRESS: undefined } });
  for (const [path, value] of [
    ['/api/secrets/api_key', 'sk-all-templates-1'],
    ['/api/secrets/external_api/api_key', 'ext-all-templates-2'],
  ] as const) {
    const stored = await agent.api('PUT', path, { value });
    expect(stored.status, JSON.stringify(stored.json)).toBe(200);
  }
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' })).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${agent.url}/`);
  await page.getByTestId('login-username').fill(ADMIN.user);
  await page.getByTestId('login-password').fill(ADMIN.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-templates').waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await agent?.cleanup();
  await site?.close();
  await new Promise((r) => apiSink?.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe('every shipped template, from the Run form, POST /api/runs and desktop-agent run', () => {
  it('ships exactly the templates this test prepares inputs for', () => {
    expect(readdirSync(SHIPPED).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort()).toEqual(Object.keys(PREPARE).sort());
    // The serve's own copy (seeded on first start) is what the Templates screen lists.
    expect(existsSync(join(agent.dataDir, 'configs', 'templates', 'weekly_report.yaml'))).toBe(true);
  });

  for (const template of Object.keys(PREPARE).sort()) {
    for (const way of WAYS) {
      it(`${template} from ${way === 'ui' ? 'the Run form' : way === 'api' ? 'POST /api/runs' : 'desktop-agent run'}`, { timeout: 240_000 }, async () => {
        const prepared = await PREPARE[template]!(way);
        const runId = await start(template, way, prepared.variables);
        const run = await finish(runId);
        expect(run.status, JSON.stringify(run.steps.map((s) => [s.action, s.status, s.error]))).toBe('succeeded');
        expect(run.dry_run).toBe(false);
        await prepared.check(run);
      });
    }
  }
});
