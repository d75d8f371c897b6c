/**
 * The UI's long lists (SPEC section 15: a list of 10,000 rows, first render ≤ 1 s): the Audit view
 * of the built renderer in Debian's Chromium, served by the real core and HTTP adapter, with
 * 10,000 entries in the audit log. Its windowed table is measured beside a plain table of the same
 * 10,000 rows built in the same page (the peer: every row in the document).
 *
 *   npm run bench -- ui-lists          (or: node dist/bench/ui-lists.js after npm run build)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startHttpServer } from '../src-main/core/api/http';
import { createCore } from '../src-main/core/app/create-core';
import { packageInfo } from '../src-main/core/app/package-root';
import { resolvePaths } from '../src-main/core/app/paths';
import { nativeBindingPath } from '../src-main/core/db/native-binding';
import { percentile, printTable } from './support/report';

const ENTRIES = Number(process.env.BENCH_UI_ROWS ?? 10_000);
const PAGE = 200;
const PASSWORD = 'Bench-Admin-Pass-1';

/** Milliseconds until the page shows `text` in the element, polled every animation frame. */
async function timeUntil(page: Page, act: () => Promise<unknown>, testId: string, text: string): Promise<number> {
  const t0 = await page.evaluate('performance.now()');
  await act();
  await page.waitForFunction(
    ([id, want]) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(`[data-testid="${id}"]`)?.textContent === want,
    [testId, text] as const,
    { polling: 'raf', timeout: 60_000 },
  );
  return ((await page.evaluate('performance.now()')) as number) - (t0 as number);
}

async function main() {
  const { root, version } = packageInfo();
  const renderer = join(root, 'out', 'renderer');
  if (!existsSync(join(renderer, 'index.html'))) throw new Error('out/renderer is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-ui-'));
  const core = await createCore({ paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(root, 'configs') }), version, nativeBinding: nativeBindingPath(root), logLevel: 'warn' });
  await core.start();
  await core.users.service.create({ username: 'admin', password: PASSWORD, role: 'Admin', active: true });
  for (let i = 0; i < ENTRIES; i++) {
    core.audit.record({ user: `user${i % 37}`, action: i % 3 ? 'runs.list' : 'auth.login', permission: i % 3 ? 'read_runs' : null, resource: `run_${i}`, result: i % 5 ? 'granted' : 'denied', source: '127.0.0.1', details: { n: i } });
  }
  const http = await startHttpServer({ dispatcher: core.dispatcher, authenticator: core.authenticator, bus: core.bus, logger: core.logger.child('API'), host: '127.0.0.1', port: 0, allowRemote: false, bodyLimitBytes: 1 << 20, staticDir: renderer });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })).newPage();
    await page.goto(`${http.url}/`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-audit').waitFor({ timeout: 60_000 });

    const firstRender = await timeUntil(page, () => page.getByTestId('nav-audit').click(), 'audit-count', `${PAGE} entries shown`);
    const appends: number[] = [];
    for (let n = 2 * PAGE; n <= ENTRIES; n += PAGE) {
      appends.push(await timeUntil(page, () => page.getByTestId('audit-load-more').click(), 'audit-count', `${n} entries shown`));
    }
    const domRows = await page.getByTestId('audit-row').count();
    // Scrolling to the middle: the rows there are in the document by the next frames.
    const jump = await page.evaluate(`(async () => {
      const list = document.querySelector('[data-testid="audit-table"]');
      const t0 = performance.now();
      list.scrollTop = list.scrollHeight / 2;
      const target = String(Math.floor(${ENTRIES} / 2));
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const rows = [...list.querySelectorAll('[role=row][aria-rowindex]')].map((r) => Number(r.getAttribute('aria-rowindex')));
        if (rows.some((i) => Math.abs(i - Number(target)) < 40)) return performance.now() - t0;
      }
    })()`);

    // The peer: the same rows as a plain table, every row in the document, measured to layout.
    const plain = (await page.evaluate(`(async () => {
      const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
      const sample = rows[0].querySelector('.audit-grid');
      const cells = [...sample.children].map((c) => c.textContent);
      const t0 = performance.now();
      const table = document.createElement('table');
      const body = document.createElement('tbody');
      for (let i = 0; i < ${ENTRIES}; i++) {
        const tr = document.createElement('tr');
        for (const text of cells) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
      table.appendChild(body);
      document.querySelector('main').appendChild(table);
      void table.offsetHeight;
      await new Promise((r) => requestAnimationFrame(r));
      const built = performance.now() - t0;
      const s0 = performance.now();
      document.querySelector('main').scrollTop = table.offsetTop + table.offsetHeight / 2;
      void table.offsetHeight;
      await new Promise((r) => requestAnimationFrame(r));
      const jump = performance.now() - s0;
      const count = table.querySelectorAll('tr').length;
      table.remove();
      return { built, jump, count };
    })()`)) as { built: number; jump: number; count: number };

    console.log(`Audit view: ${ENTRIES.toLocaleString('en-US')} entries, pages of ${PAGE}; Chromium ${browser.version()}`);
    printTable(
      'UI lists: the windowed Audit table vs a plain table of the same rows',
      [
        { what: `show ${ENTRIES.toLocaleString('en-US')} rows (ours: last page fetched + drawn)`, unit: 'ms', ours: appends.at(-1)!, peer: plain.built, higherIsBetter: false, target: '≤ 1,000 ms' },
        { what: 'rows in the document', unit: 'rows', ours: domRows, peer: plain.count, higherIsBetter: false },
        { what: 'scroll to the middle, rows there drawn', unit: 'ms', ours: jump as number, peer: plain.jump, higherIsBetter: false },
      ],
      'plain table',
    );
    console.log(`\nfirst render of the Audit view (first page): ${firstRender.toFixed(1)} ms (target ≤ 1,000 ms)`);
    console.log(`"load more" to shown, over ${appends.length} pages: p50 ${percentile(appends, 50).toFixed(1)} ms, p99 ${percentile(appends, 99).toFixed(1)} ms, first ${appends[0]!.toFixed(1)} ms, last ${appends.at(-1)!.toFixed(1)} ms`);
  } finally {
    await browser.close();
    await http.close();
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
