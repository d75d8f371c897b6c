import { ActionError, type ActionDef } from '../action-types';
import { pollUntil } from '../action-polling';
import { implement } from './implement';
import * as spec from '@shared/dsl/actions/web';
import { describe, locateClickTarget } from '../web/click-resolver';
import { collapse, domSchema, invalidSelector, isSelectorError, pageText, textOrRole, total, visibleIn } from '../web/element-query';
import { findField, frameOf, type FoundField } from '../web/field-resolver';
import { captureWebScreenshot, checkUrl, compact, navigate, webStep, withPage } from '../web/web-step';
import { chars, clickResult, dryRunClick, elementWait, fieldResult, lookupBudget, unverifiable } from './web-results';
import { downloadFile, uploadFile, waitForDownload } from './web-files';

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
export const webActions: readonly ActionDef[] = [
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
];
