import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { ElementHandle, Page } from 'playwright-core';
import { ActionError, type ActionContext, type ActionDef, type ActionResult } from '../action-types';
import { pollUntil } from '../action-polling';
import { implement } from './implement';
import * as spec from '@shared/dsl/actions/web';
import { describe, locateClickTarget, type Located } from '../web/click-resolver';
import { contentTypeFor, downloadTarget, keepDownload, responseFileName } from '../web/downloads';
import { collapse, domSchema, invalidSelector, isSelectorError, pageText, textOrRole, total, visibleIn } from '../web/element-query';
import { findField, frameOf, type FoundField } from '../web/field-resolver';
import { DEFAULT_ELEMENT_TIMEOUT_MS } from '@shared/dsl/actions/web-params';
import { captureWebScreenshot, checkUrl, compact, navigate, webStep, withPage } from '../web/web-step';
import type { NamedContext, WebSession } from '../web/web-session';

/**
 * Web actions over Playwright (SPEC section 3). The run's browser contexts live in its scratch
 * (web/web-session.ts); fields and buttons are found across frames and shadow roots
 * (web/field-resolver.ts, web/click-resolver.ts). Typed text is never echoed: results say how
 * many characters were typed.
 *
 * Dry run: open_browser, waits, checks, screenshots and the DOM schema run; fill_by_label,
 * click_by_text, upload_file and downloads only find their target and report `would_*`. Once a
 * page-changing step was skipped, later lookups and checks report what they would have checked
 * instead of failing on a page a real run would not be on.
 */

const DRY_RUN_LOOKUP_MS = 2_000;

const elementWait = (p: { timeout_ms?: number }) => p.timeout_ms ?? DEFAULT_ELEMENT_TIMEOUT_MS;
const chars = (text: string) => [...text].length;

/** In a dry run after a skipped page change, checks cannot be judged: say so instead. */
function unverifiable(ctx: ActionContext, session: WebSession): ActionResult | undefined {
  if (!ctx.dryRun || !session.skippedInDryRun) return undefined;
  return { checked: false, dry_run: `not checked: the page differs from a real run because ${session.skippedInDryRun} was not performed` };
}

function fieldResult(page: Page, label: string, found: FoundField): ActionResult {
  const { match, field } = found;
  return compact({
    label,
    matched_label: match.matchedLabel,
    strategy: match.strategy,
    match: match.match,
    synonym: match.term !== label ? match.term : undefined,
    field: compact({ tag: field.tag, type: field.type || undefined, name: field.name || undefined }),
    frame: frameOf(page, found.frame),
    shadow: field.shadow || undefined,
  });
}

async function fillElement(found: FoundField, text: string, timeout: number): Promise<void> {
  const el = found.element;
  if (found.field.tag !== 'select') return el.fill(text, { timeout });
  const options = await el.evaluate((s: { options: ArrayLike<{ label: string; value: string }> }) => Array.from(s.options).map((o) => ({ label: o.label.trim(), value: o.value })));
  const byLabel = options.find((o) => o.label === text.trim());
  const byValue = options.find((o) => o.value === text);
  if (!byLabel && !byValue) {
    throw new ActionError('WEB_OPTION_NOT_FOUND', `fill_by_label: '${found.match.matchedLabel}' is a list and none of its ${options.length} options has the given text (${chars(text)} characters)`, false, {
      options: options.map((o) => o.label).slice(0, 50),
    });
  }
  await el.selectOption(byLabel ? { label: byLabel.label } : { value: text }, { timeout });
}

/** Dry-run lookups: a field or button that should be there must be; after a skipped page change it may not be. */
function lookupBudget(ctx: ActionContext, session: WebSession, wanted: number): number {
  return session.skippedInDryRun ? Math.min(wanted, DRY_RUN_LOOKUP_MS) : wanted;
}

const openBrowser = implement(spec.openBrowser, {
  async run(p, ctx) {
    const url = checkUrl(ctx, 'open_browser', p.url);
    const visible = p.visible ?? !ctx.config.web.headless;
    return webStep(ctx, 'open_browser', async (session) => {
      const { named, reused } = await session.open(ctx, p.context, visible);
      const response = await navigate(ctx, named.page, url, p.timeout_ms);
      return compact({
        url: named.page.url(),
        status: response?.status(),
        title: await named.page.title(),
        context: named.name,
        reused,
        visible: named.visible,
        browser: session.choice?.executablePath,
      });
    });
  },
  captureScreenshot: captureWebScreenshot,
});

const fillByLabel = implement(spec.fillByLabel, {
  async run(p, ctx) {
    return withPage(
      ctx,
      'fill_by_label',
      async (named) => {
        const found = await findField(ctx, named.page, p.label, 'fill', elementWait(p), 'fill_by_label');
        try {
          await fillElement(found, p.text, elementWait(p));
        } finally {
          await found.element.dispose().catch(() => undefined);
        }
        return { filled: true, ...fieldResult(named.page, p.label, found), chars: chars(p.text) };
      },
      p.text,
    );
  },
  async dryRun(p, ctx) {
    return withPage(
      ctx,
      'fill_by_label',
      async (named, session) => {
        try {
          const found = await findField(ctx, named.page, p.label, 'fill', lookupBudget(ctx, session, elementWait(p)), 'fill_by_label');
          await found.element.dispose().catch(() => undefined);
          return { would_fill: true, found: true, ...fieldResult(named.page, p.label, found), chars: chars(p.text) };
        } catch (e) {
          if (!session.skippedInDryRun || !(e instanceof ActionError) || e.code !== 'WEB_ELEMENT_NOT_FOUND') throw e;
          return { would_fill: true, found: false, label: p.label, chars: chars(p.text), ...unverifiable(ctx, session) };
        }
      },
      p.text,
    );
  },
  captureScreenshot: captureWebScreenshot,
});

function clickResult(named: NamedContext, located: Located, element: { tag: string; role?: string }): ActionResult {
  return compact({
    strategy: located.target.strategy,
    matches: located.target.matches,
    element,
    frame: frameOf(named.page, located.target.frame),
    recovery: located.recovery,
    recovery_skipped: located.recoverySkipped,
    attempts: located.attempts,
  });
}

async function dryRunClick(ctx: ActionContext, session: WebSession, named: NamedContext, what: string, text: string, role: string | undefined, wait: number): Promise<ActionResult> {
  const diverged = session.skippedInDryRun;
  session.skippedInDryRun ??= `step ${ctx.stepIndex} (${what} '${text}')`;
  try {
    const located = await locateClickTarget(ctx, named.page, {
      text,
      role,
      timeoutMs: diverged ? Math.min(wait, DRY_RUN_LOOKUP_MS) : wait,
      navigationTimeoutMs: ctx.config.web.navigation_timeout_ms,
      allowReload: false,
      action: what,
    });
    return { found: true, text, ...clickResult(named, located, await describe(located.target.locator)) };
  } catch (e) {
    if (!diverged || !(e instanceof ActionError) || e.code !== 'WEB_ELEMENT_NOT_FOUND') throw e;
    return { found: false, text, dry_run: `not looked up: the page differs from a real run because ${diverged} was not performed` };
  }
}

const clickByText = implement(spec.clickByText, {
  async run(p, ctx) {
    return withPage(ctx, 'click_by_text', async (named) => {
      const located = await locateClickTarget(ctx, named.page, {
        text: p.text,
        role: p.role,
        timeoutMs: elementWait(p),
        navigationTimeoutMs: ctx.config.web.navigation_timeout_ms,
        allowReload: true,
        lastMethod: named.navigationMethod.get(named.page),
        action: 'click_by_text',
      });
      const element = await describe(located.target.locator);
      await located.target.locator.click({ timeout: elementWait(p) });
      return { clicked: true, text: p.text, ...clickResult(named, located, element) };
    });
  },
  async dryRun(p, ctx) {
    return withPage(ctx, 'click_by_text', async (named, session) => ({
      would_click: true,
      ...(await dryRunClick(ctx, session, named, 'click_by_text', p.text, p.role, elementWait(p))),
    }));
  },
  captureScreenshot: captureWebScreenshot,
});

const waitForSelector = implement(spec.waitForSelector, {
  async run(p, ctx) {
    return withPage(ctx, 'wait_for_selector', async (named, session) => {
      const skipped = unverifiable(ctx, session);
      if (skipped) return skipped;
      const wait = elementWait(p);
      let polled;
      try {
        polled = await pollUntil(ctx, wait, async () => {
          const hits = await visibleIn(named.page, (f) => f.locator(p.selector));
          return hits.length ? hits : undefined;
        });
      } catch (e) {
        throw isSelectorError(e) ? invalidSelector('wait_for_selector', p.selector, e) : e;
      }
      if (!polled.value) {
        throw new ActionError('WEB_ELEMENT_NOT_FOUND', `wait_for_selector: no visible element matches '${p.selector}' on ${named.page.url()} after ${wait} ms`, false, {
          selector: p.selector,
          url: named.page.url(),
        });
      }
      return compact({ found: true, count: total(polled.value), frame: frameOf(named.page, polled.value[0].frame), waited_ms: polled.waitedMs });
    });
  },
  captureScreenshot: captureWebScreenshot,
});

function describeQuery(p: { text?: string; role?: string }): string {
  return [p.role ? `role ${p.role}` : '', p.text !== undefined ? `text '${p.text}'` : ''].filter(Boolean).join(' and ');
}

const waitForElement = implement(spec.waitForElement, {
  async run(p, ctx) {
    return withPage(ctx, 'wait_for_element', async (named, session) => {
      const skipped = unverifiable(ctx, session);
      if (skipped) return skipped;
      const wait = elementWait(p);
      const polled = await pollUntil(ctx, wait, async () => {
        const hits = await visibleIn(named.page, textOrRole(p.text, p.role));
        return hits.length ? hits : undefined;
      });
      if (!polled.value) {
        throw new ActionError('WEB_ELEMENT_NOT_FOUND', `wait_for_element: no visible element with ${describeQuery(p)} on ${named.page.url()} after ${wait} ms`, false, {
          url: named.page.url(),
        });
      }
      return compact({ found: true, count: total(polled.value), frame: frameOf(named.page, polled.value[0].frame), waited_ms: polled.waitedMs });
    });
  },
  captureScreenshot: captureWebScreenshot,
});

const assertElement = implement(spec.assertElement, {
  async run(p, ctx) {
    return withPage(ctx, 'assert_element', async (named, session) => {
      const skipped = unverifiable(ctx, session);
      if (skipped) return skipped;
      let count = 0;
      const polled = await pollUntil(ctx, elementWait(p), async () => {
        count = total(await visibleIn(named.page, textOrRole(p.text, p.role)));
        return count >= p.count_gte ? count : undefined;
      });
      if (polled.value === undefined) {
        throw new ActionError(
          'ASSERTION_FAILED',
          `assert_element: expected at least ${p.count_gte} visible element(s) with ${describeQuery(p)} on ${named.page.url()}, found ${count} (waited ${elementWait(p)} ms)`,
          false,
          { count, count_gte: p.count_gte, url: named.page.url() },
        );
      }
      return { passed: true, count: polled.value, count_gte: p.count_gte };
    });
  },
  captureScreenshot: captureWebScreenshot,
});

const assertText = implement(spec.assertText, {
  async run(p, ctx) {
    return withPage(ctx, 'assert_text', async (named, session) => {
      const skipped = unverifiable(ctx, session);
      if (skipped) return skipped;
      const wanted = collapse(p.contains);
      let text = '';
      const polled = await pollUntil(ctx, elementWait(p), async () => {
        text = await pageText(named.page);
        return text.includes(wanted) ? true : undefined;
      });
      if (!polled.value) {
        const start = text.length > 160 ? `${text.slice(0, 160)}…` : text;
        throw new ActionError('ASSERTION_FAILED', `assert_text: '${p.contains}' is not on ${named.page.url()} after ${elementWait(p)} ms; the page reads: '${start}'`, false, {
          url: named.page.url(),
        });
      }
      return { passed: true, contains: p.contains, waited_ms: polled.waitedMs };
    });
  },
  captureScreenshot: captureWebScreenshot,
});

function checkLocalFile(path: string): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new ActionError('FILE_NOT_FOUND', `upload_file: ${path} does not exist or is not a file`, false, { path });
  }
  return size;
}

/** The file input for upload_file: by selector (any frame; a non-input opens the file chooser), or by label. */
async function uploadTarget(ctx: ActionContext, page: Page, p: { selector?: string; label?: string; timeout_ms?: number }, lookupMs: number) {
  if (p.label !== undefined) {
    const found = await findField(ctx, page, p.label, 'file', lookupMs, 'upload_file');
    return { element: found.element as ElementHandle, found, via: 'label' as const };
  }
  const selector = p.selector!;
  let polled;
  try {
    polled = await pollUntil(ctx, lookupMs, async () => {
      for (const frame of page.frames()) {
        const el = await frame.$(selector).catch((e: unknown) => {
          if (isSelectorError(e)) throw e;
          return null;
        });
        if (el) return el;
      }
      return undefined;
    });
  } catch (e) {
    throw isSelectorError(e) ? invalidSelector('upload_file', selector, e) : e;
  }
  if (!polled.value) throw new ActionError('WEB_ELEMENT_NOT_FOUND', `upload_file: nothing matches '${selector}' on ${page.url()} after ${lookupMs} ms`, false, { selector });
  return { element: polled.value, found: undefined, via: 'selector' as const };
}

async function isFileInput(el: ElementHandle): Promise<boolean> {
  return el.evaluate((e: { tagName: string; type?: string }) => e.tagName === 'INPUT' && e.type === 'file');
}

const uploadFile = implement(spec.uploadFile, {
  async run(p, ctx) {
    const path = ctx.files.check(p.path, 'upload_file');
    const bytes = checkLocalFile(path);
    return withPage(ctx, 'upload_file', async (named) => {
      const target = await uploadTarget(ctx, named.page, p, elementWait(p));
      try {
        if (await isFileInput(target.element)) {
          await target.element.setInputFiles(path, { timeout: elementWait(p) });
        } else {
          const [chooser] = await Promise.all([named.page.waitForEvent('filechooser', { timeout: elementWait(p) }), target.element.click({ timeout: elementWait(p) })]);
          await chooser.setFiles(path);
        }
      } finally {
        await target.element.dispose().catch(() => undefined);
      }
      return compact({ uploaded: basename(path), bytes, via: target.via, ...(target.found ? fieldResult(named.page, p.label!, target.found) : { selector: p.selector }) });
    });
  },
  async dryRun(p, ctx) {
    const path = ctx.files.check(p.path, 'upload_file');
    const bytes = checkLocalFile(path);
    return withPage(ctx, 'upload_file', async (named, session) => {
      try {
        const target = await uploadTarget(ctx, named.page, p, lookupBudget(ctx, session, elementWait(p)));
        await target.element.dispose().catch(() => undefined);
        return compact({ would_upload: basename(path), bytes, found: true, via: target.via, ...(target.found ? fieldResult(named.page, p.label!, target.found) : { selector: p.selector }) });
      } catch (e) {
        if (!session.skippedInDryRun || !(e instanceof ActionError) || e.code !== 'WEB_ELEMENT_NOT_FOUND') throw e;
        return { would_upload: basename(path), bytes, found: false, ...unverifiable(ctx, session) };
      }
    });
  },
  captureScreenshot: captureWebScreenshot,
});

/** A URL relative to the current page (`/download/x.csv`) made absolute; left as is when it cannot be. */
function resolveAgainst(url: string, base: string): string {
  try {
    return new URL(url, base).toString();
  } catch {
    return url;
  }
}

async function saveBytes(ctx: ActionContext, body: Buffer, filename: string, to: string | undefined): Promise<ActionResult> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (to) {
    const target = await downloadTarget(ctx, 'download_file', to, filename);
    await writeFile(target, body);
    return { filename, path: target, bytes: body.length, sha256 };
  }
  const ref = await ctx.artifacts.write(filename, body, contentTypeFor(filename), 'download');
  return { filename, artifact: ref.name, bytes: ref.bytes, sha256 };
}

const downloadFile = implement(spec.downloadFile, {
  async run(p, ctx) {
    if (p.to) ctx.files.check(p.to, 'download_file'); // before anything is fetched; the file's own name is checked again
    return withPage(ctx, 'download_file', async (named) => {
      const wait = elementWait(p);
      if (p.url !== undefined) {
        const url = checkUrl(ctx, 'download_file', resolveAgainst(p.url, named.page.url()));
        const response = await named.context.request.get(url, { timeout: ctx.config.web.navigation_timeout_ms, failOnStatusCode: false });
        if (!response.ok()) {
          const server = response.status() >= 500;
          throw new ActionError(server ? 'NETWORK_ERROR' : 'DOWNLOAD_FAILED', `download_file: ${url} answered HTTP ${response.status()}`, server, { url, status: response.status() });
        }
        const name = responseFileName(response.headers()['content-disposition'], url);
        return { ...(await saveBytes(ctx, await response.body(), name, p.to)), url, via: 'url' };
      }
      const mark = named.downloads.mark();
      const located = await locateClickTarget(ctx, named.page, {
        text: p.text!,
        role: p.role,
        timeoutMs: wait,
        navigationTimeoutMs: ctx.config.web.navigation_timeout_ms,
        allowReload: true,
        lastMethod: named.navigationMethod.get(named.page),
        action: 'download_file',
      });
      await located.target.locator.click({ timeout: wait });
      const got = await named.downloads.take(ctx, wait, mark);
      if (!got) throw new ActionError('DOWNLOAD_NOT_STARTED', `download_file: clicking '${p.text}' on ${named.page.url()} started no download within ${wait} ms`, false, { text: p.text });
      return { ...(await keepDownload(ctx, 'download_file', got.download, p.to)), via: 'click', strategy: located.target.strategy };
    });
  },
  async dryRun(p, ctx) {
    const to = p.to ? ctx.files.check(p.to, 'download_file') : 'artifacts';
    return withPage(ctx, 'download_file', async (named, session) => {
      if (p.url !== undefined) return compact({ would_download: p.url, to });
      return { would_download: `click '${p.text}'`, to, ...(await dryRunClick(ctx, session, named, 'download_file', p.text!, p.role, elementWait(p))) };
    });
  },
  captureScreenshot: captureWebScreenshot,
});

const waitForDownload = implement(spec.waitForDownload, {
  async run(p, ctx) {
    if (p.to) ctx.files.check(p.to, 'wait_for_download');
    return withPage(ctx, 'wait_for_download', async (named) => {
      const wait = elementWait(p);
      const got = await named.downloads.take(ctx, wait);
      if (!got) throw new ActionError('DOWNLOAD_NOT_STARTED', `wait_for_download: no download started in browser context '${named.name}' within ${wait} ms`, false);
      return { ...(await keepDownload(ctx, 'wait_for_download', got.download, p.to)), waited_ms: got.waitedMs };
    });
  },
  async dryRun(p, ctx) {
    return { would_save_download: true, to: p.to ? ctx.files.check(p.to, 'wait_for_download') : 'artifacts' };
  },
  captureScreenshot: captureWebScreenshot,
});

const takeScreenshot = implement(spec.takeScreenshot, {
  async run(p, ctx) {
    return withPage(ctx, 'take_screenshot', async (named) => {
      const png = await named.page.screenshot({ fullPage: p.full_page, timeout: 30_000 });
      const name = p.name ? (/\.png$/i.test(p.name) ? p.name : `${p.name}.png`) : `screenshot-step-${ctx.stepIndex}.png`;
      const ref = await ctx.artifacts.write(name, png, 'image/png', 'screenshot');
      return { artifact: ref.name, bytes: ref.bytes, url: named.page.url() };
    });
  },
  captureScreenshot: captureWebScreenshot,
});

const captureDomSchema = implement(spec.captureDomSchema, {
  async run(_p, ctx) {
    return withPage(ctx, 'capture_dom_schema', async (named) => {
      const frames = await domSchema(named.page);
      const schema = { url: named.page.url(), title: await named.page.title(), captured_at: new Date(ctx.clock.now()).toISOString(), frames };
      const ref = await ctx.artifacts.write(`dom-schema-step-${ctx.stepIndex}.json`, JSON.stringify(schema, null, 2), 'application/json', 'dom-schema');
      const roles: Record<string, number> = {};
      for (const f of frames) for (const el of f.elements) roles[el.role] = (roles[el.role] ?? 0) + 1;
      return { artifact: ref.name, url: schema.url, title: schema.title, frames: frames.length, element_count: frames.reduce((n, f) => n + f.elements.length, 0), roles };
    });
  },
  captureScreenshot: captureWebScreenshot,
});

/** The web family, for the engine's action registry. */
export const webActions: ActionDef[] = [
  openBrowser,
  fillByLabel,
  clickByText,
  waitForSelector,
  waitForElement,
  assertElement,
  assertText,
  uploadFile,
  downloadFile,
  waitForDownload,
  takeScreenshot,
  captureDomSchema,
] as unknown as ActionDef[];
