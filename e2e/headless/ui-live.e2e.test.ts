import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../src-main/core/kernel/authenticator';
import { startHttpServer, type RunningHttpServer } from '../../src-main/core/api/http';
import { nativeBindingPath } from '../../src-main/core/db/native-binding';
import { REPO_ROOT, tempCore, type TempCore } from '../../test-support/temp-core';
import { VIEWPORT, launchChromium, requireUiBuild } from '../support/browser';

/**
 * The signed-in side of the shell: a real core and the real HTTP adapter serving the built
 * renderer to Chromium. Sign-in itself belongs to the users module (its own issue), so the
 * authenticator here stands in for it and says every request comes from a Viewer's session.
 */
const viewerSession: Authenticator = {
  authenticate: async () => ({ principal: { kind: 'user', id: 'u-viewer', username: 'viewer', role: 'Viewer', via: 'session' } }),
  credential: () => ({ holds: () => true }),
};

describe('the UI shell signed in, with live events', () => {
  let t: TempCore;
  let http: RunningHttpServer;
  let browser: Browser;
  let page: Page;
  let orchestrator: string;
  let goodConfig: string;

  beforeAll(async () => {
    requireUiBuild();
    t = await tempCore({ strictConfig: false, watchConfig: true, nativeBinding: nativeBindingPath(REPO_ROOT) });
    http = await startHttpServer({
      dispatcher: t.core.dispatcher,
      authenticator: viewerSession,
      bus: t.core.bus,
      streams: t.core.streams,
      logger: t.core.logger.child('API'),
      host: '127.0.0.1',
      port: 0,
      allowRemote: false,
      bodyLimitBytes: 1 << 20,
      staticDir: join(REPO_ROOT, 'out', 'renderer'),
    });
    orchestrator = join(t.core.paths.configDir, 'orchestrator.yaml');
    goodConfig = readFileSync(orchestrator, 'utf8');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await t?.cleanup();
  });

  it('shows the live stream connected and the system status', async () => {
    await page.goto(http.url + '/');
    await expect.poll(() => page.getByTestId('live-indicator').getAttribute('data-state')).toBe('live');
    expect(await page.getByTestId('live-indicator').innerText()).toBe('Live events: connected');
    const panel = page.getByTestId('status-panel');
    await expect.poll(() => panel.getAttribute('data-state')).toBe('ready');
    expect(await page.getByTestId('status-version').innerText()).toBe('test');
    expect(await page.getByTestId('status-data-dir').innerText()).toBe(t.core.paths.dataDir);
    expect(await page.getByTestId('config-ok').innerText()).toBe('The configuration files have no problems.');
  });

  it('shows a config problem with file, line and column as soon as the file is rejected, and clears it when fixed', async () => {
    writeFileSync(orchestrator, 'global:\n  max_total_concurrent: lots\n');
    const problem = page.getByTestId('config-problem');
    // No reload of the page: config.rejected arrives over SSE and the panel reads the status again.
    await expect.poll(() => problem.count(), { timeout: 15_000 }).toBe(1);
    expect(await problem.innerText()).toMatch(new RegExp(`^${orchestrator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:25 global\\.max_total_concurrent: `));

    writeFileSync(orchestrator, goodConfig);
    await expect.poll(() => page.getByTestId('config-ok').count(), { timeout: 15_000 }).toBe(1);
  });

  it('shows why the loopback API did not start (what the desktop app reports on a taken port)', async () => {
    t.core.host.api = { url: null, error: 'port 8000 on 127.0.0.1 is already in use' };
    await page.reload();
    await expect.poll(() => page.getByTestId('status-api-error').count()).toBe(1);
    expect(await page.getByTestId('status-api-error').innerText()).toBe('The loopback API could not start: port 8000 on 127.0.0.1 is already in use');
  });
});
