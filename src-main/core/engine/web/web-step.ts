import { fileURLToPath } from 'node:url';
import type { Page, Response } from 'playwright-core';
import { ActionError, type ActionContext, type ArtifactRef } from '../action-types';
import { throwIfAborted } from '../action-polling';
import { toActionError } from './web-errors';
import { WebSession, type NamedContext } from './web-session';

/**
 * The frame every web action runs in: the run's session, abort → close the browsers, and any
 * error turned into an ActionError (with the typed text scrubbed from its message).
 */
export async function webStep<T>(ctx: ActionContext, action: string, fn: (session: WebSession) => Promise<T>, typed?: string): Promise<T> {
  throwIfAborted(ctx);
  const session = WebSession.for(ctx);
  const unbind = session.bindAbort(ctx);
  try {
    return await fn(session);
  } catch (e) {
    throw toActionError(e, ctx.signal, action, typed);
  } finally {
    unbind();
  }
}

/** webStep on the context that the last open_browser made current. */
export function withPage<T>(ctx: ActionContext, action: string, fn: (named: NamedContext, session: WebSession) => Promise<T>, typed?: string): Promise<T> {
  return webStep(ctx, action, (session) => fn(session.require(action), session), typed);
}

const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'file:', 'about:', 'data:']);

/** An absolute URL of a scheme the browser may open; a file: URL's path passes files.allowed_roots. */
export function checkUrl(ctx: Pick<ActionContext, 'files'>, action: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionError('INVALID_URL', `${action}: '${url}' is not an absolute URL (e.g. https://example.com/form)`, false, { url });
  }
  if (!ALLOWED_SCHEMES.has(parsed.protocol)) throw new ActionError('INVALID_URL', `${action}: URLs with ${parsed.protocol} are not opened (use http, https or file)`, false, { url });
  if (parsed.protocol === 'file:') {
    let local: string;
    try {
      local = fileURLToPath(parsed);
    } catch (e) {
      throw new ActionError('INVALID_URL', `${action}: '${url}' is not a local file URL: ${(e as Error).message}`, false, { url });
    }
    ctx.files.check(local, action);
  }
  return url;
}

/**
 * Stops a navigation that timed out (the Stop button, over CDP: every browser we drive is
 * Chromium-based). Left pending, it makes the next navigation to the same URL, a retry of the
 * step, fail at once with net::ERR_ABORTED. Bounded; never throws.
 */
async function stopLoading(ctx: ActionContext, page: Page): Promise<void> {
  const stop = (async () => {
    const cdp = await page.context().newCDPSession(page);
    try {
      await cdp.send('Page.stopLoading');
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  })().catch(() => undefined);
  let timer: { cancel(): void } | undefined;
  await Promise.race([stop, new Promise<void>((resolve) => (timer = ctx.clock.setTimer(2_000, resolve)))]);
  timer?.cancel();
}

/** Navigates and checks the answer; timeouts and network failures name the URL (and the time). */
export async function navigate(ctx: ActionContext, page: Page, url: string, timeout = ctx.config.web.navigation_timeout_ms): Promise<Response | null> {
  let response: Response | null;
  try {
    response = await page.goto(url, { timeout, waitUntil: 'load' });
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    const message = (e as Error).message ?? '';
    if ((e as Error).name === 'TimeoutError') {
      await stopLoading(ctx, page);
      throw new ActionError('NETWORK_TIMEOUT', `open_browser: navigation to ${url} timed out after ${timeout} ms`, true, { url, timeout_ms: timeout });
    }
    const net = /net::ERR_[A-Z_]+/.exec(message);
    if (net) throw new ActionError('NETWORK_ERROR', `open_browser: navigation to ${url} failed: ${net[0]}`, true, { url });
    throw e;
  }
  const status = response?.status() ?? 0;
  if (status >= 400) {
    const server = status >= 500;
    throw new ActionError(server ? 'NETWORK_ERROR' : 'WEB_HTTP_ERROR', `open_browser: ${url} answered HTTP ${status} ${response?.statusText() ?? ''}`.trim(), server, { url, status });
  }
  return response;
}

/**
 * The screenshot capability of every web action (ActionDef.captureScreenshot). The runner calls
 * it after a step fails (and after it succeeds when the step says `screenshot: true`) and links
 * the artifact from the step record. Never throws and never starts a browser: undefined when
 * the run has no open page. The artifact is `step-<index>.png`, kind `screenshot`; its
 * metadata holds no step params (so no typed text).
 */
export async function captureWebScreenshot(ctx: ActionContext): Promise<ArtifactRef | undefined> {
  const named = WebSession.peek(ctx)?.current();
  if (!named || named.page.isClosed()) return undefined;
  try {
    const png = await named.page.screenshot({ timeout: 5_000 });
    return await ctx.artifacts.write(`step-${ctx.stepIndex}.png`, png, 'image/png', 'screenshot');
  } catch {
    return undefined;
  }
}

/** Drops undefined fields so results stay plain JSON. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
