import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ActionError, type ActionContext } from '../action-types';
import { resolveBrowser, type BrowserChoice } from './browser-discovery';
import { DownloadTracker } from './downloads';

/** Chromium flags for unattended runs (no background traffic, no first-run UI, no GPU). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const SCRATCH_KEY = 'web.session';

/** A named browser context of the run: its cookies and storage live until the run ends. */
export interface NamedContext {
  name: string;
  visible: boolean;
  context: BrowserContext;
  /** The page steps act on: the newest open page (a link with target=_blank moves steps to the new tab). */
  page: Page;
  downloads: DownloadTracker;
  /** HTTP method of each page's last main-frame navigation (a POST result must not be reloaded). */
  navigationMethod: WeakMap<Page, string>;
}

/**
 * The browsers and named contexts of one run, kept in `ctx.scratch`. One browser process per
 * visibility (headless / visible), any number of contexts in it. Closed when the run ends, fails
 * or is cancelled (`ctx.onRunEnd`), and at once when a step's signal aborts, so a cancelled run
 * leaves no browser behind.
 */
export class WebSession {
  private readonly browsers = new Map<boolean, Promise<Browser>>();
  private readonly contexts = new Map<string, NamedContext>();
  private readonly tracked = new WeakSet<Page>();
  private currentName: string | undefined;
  /** The step whose abort closed the browsers (later steps say so instead of "no browser"). */
  private abortedAt: number | undefined;
  private closing: Promise<void> | undefined;
  choice: BrowserChoice | undefined;
  /**
   * Dry run: the first page-changing step that was only described, not done. After it the page
   * is not what a real run would see, so lookups and checks report instead of failing.
   */
  skippedInDryRun: string | undefined;

  /** The run's session, created (and its cleanup registered) on first use. */
  static for(ctx: ActionContext): WebSession {
    let session = ctx.scratch.get<WebSession>(SCRATCH_KEY);
    if (!session) {
      session = new WebSession();
      ctx.scratch.set(SCRATCH_KEY, session);
      const s = session;
      ctx.onRunEnd(() => s.close());
    }
    return session;
  }

  /** The run's session if a web step created one (screenshots on failure must not start a browser). */
  static peek(ctx: Pick<ActionContext, 'scratch'>): WebSession | undefined {
    return ctx.scratch.get<WebSession>(SCRATCH_KEY);
  }

  /** Opens (or returns) the named context and makes it the one later steps act on. */
  async open(ctx: ActionContext, name: string, visible: boolean): Promise<{ named: NamedContext; reused: boolean }> {
    if (this.closing) await this.closing;
    this.abortedAt = undefined;
    const existing = this.contexts.get(name);
    if (existing && !existing.page.isClosed()) {
      this.currentName = name;
      return { named: existing, reused: true };
    }
    const browser = await this.browser(ctx, visible);
    const context = await browser.newContext({ acceptDownloads: true });
    // Pages the site opens later (popups, target=_blank) are tracked as they appear.
    const holder: { named?: NamedContext } = {};
    context.on('page', (page) => holder.named && this.track(holder.named, page));
    const page = await context.newPage();
    const named: NamedContext = { name, visible, context, page, downloads: new DownloadTracker(), navigationMethod: new WeakMap() };
    holder.named = named;
    this.track(named, page);
    this.contexts.set(name, named);
    this.currentName = name;
    return { named, reused: false };
  }

  current(): NamedContext | undefined {
    return this.currentName ? this.contexts.get(this.currentName) : undefined;
  }

  /** The context the step acts on, or a clear error when no open_browser step ran (or its page is gone). */
  require(action: string): NamedContext {
    const named = this.current();
    if (!named && this.abortedAt !== undefined) {
      throw new ActionError('WEB_BROWSER_CLOSED', `${action}: the browser was closed when step ${this.abortedAt} was cancelled or timed out; open_browser again`, true);
    }
    if (!named) throw new ActionError('WEB_NO_BROWSER', `${action}: no browser is open in this run; add an open_browser step before it`);
    if (named.page.isClosed()) {
      throw new ActionError('WEB_BROWSER_CLOSED', `${action}: the page of browser context '${named.name}' was closed (by the site, the user or a cancel); open_browser again`, true);
    }
    return named;
  }

  /** Closes every context and browser; safe to call twice and from an abort handler. */
  close(): Promise<void> {
    if (!this.closing) {
      const browsers = [...this.browsers.values()];
      this.browsers.clear();
      this.contexts.clear();
      this.currentName = undefined;
      this.closing = Promise.all(browsers.map(async (b) => (await b.catch(() => undefined))?.close().catch(() => undefined))).then(() => {
        this.closing = undefined;
      });
    }
    return this.closing;
  }

  /** While a step runs, its abort (cancel or step timeout) closes the browsers: Playwright calls then fail at once. */
  bindAbort(ctx: ActionContext): () => void {
    const onAbort = () => {
      this.abortedAt = ctx.stepIndex;
      void this.close();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    return () => ctx.signal.removeEventListener('abort', onAbort);
  }

  private track(named: NamedContext, page: Page): void {
    if (this.tracked.has(page)) return;
    this.tracked.add(page);
    named.page = page;
    page.on('download', (d) => named.downloads.add(d));
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) named.navigationMethod.set(page, r.method());
    });
    page.on('close', () => {
      if (named.page !== page) return;
      const open = named.context.pages().filter((p) => !p.isClosed());
      if (open.length) named.page = open[open.length - 1];
    });
  }

  private browser(ctx: ActionContext, visible: boolean): Promise<Browser> {
    let browser = this.browsers.get(visible);
    if (!browser) {
      const web = ctx.config.web;
      this.choice = resolveBrowser({ browserPath: ctx.browserPath, configPath: web.browser_path, channel: web.channel });
      const launching = launch(this.choice, visible);
      browser = launching;
      this.browsers.set(visible, launching);
      const forget = () => {
        if (this.browsers.get(visible) === launching) this.browsers.delete(visible);
      };
      // A browser that failed to start, crashed or was closed by the user is started afresh next time.
      launching.then((b) => b.on('disconnected', forget), forget);
    }
    return browser;
  }
}

async function launch(choice: BrowserChoice, visible: boolean): Promise<Browser> {
  // Loaded on first use: starting the core (serve, the CLI) does not pay for Playwright.
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({
      executablePath: choice.executablePath,
      headless: !visible,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
      // The core decides when to stop (serve's shutdown cancels runs, which closes browsers);
      // Playwright still kills its browsers if the process exits.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (e) {
    const message = (e as Error).message;
    const noDisplay = /Missing X server|\$DISPLAY|cannot open display/i.test(message);
    throw new ActionError(
      'BROWSER_LAUNCH_FAILED',
      noDisplay
        ? `open_browser with visible: true needs a display, and there is none (DISPLAY is not set or not reachable); use visible: false or run on a desktop session`
        : `Could not start the browser ${choice.executablePath}: ${message.split('\n')[0]}`,
      true,
      { executable: choice.executablePath },
    );
  }
}
