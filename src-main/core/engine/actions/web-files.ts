import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { ElementHandle, Page } from 'playwright-core';
import { ActionError, type ActionContext, type ActionResult } from '../action-types';
import { pollUntil } from '../action-polling';
import { implement } from './implement';
import * as spec from '@shared/dsl/actions/web';
import { locateClickTarget } from '../web/click-resolver';
import { contentTypeFor, downloadTarget, keepDownload, responseFileName } from '../web/downloads';
import { invalidSelector, isSelectorError } from '../web/element-query';
import { findField } from '../web/field-resolver';
import { captureWebScreenshot, checkUrl, compact, withPage } from '../web/web-step';
import { dryRunClick, elementWait, fieldResult, lookupBudget, unverifiable } from './web-results';

/** upload_file, download_file, wait_for_download: files across the browser's edge (web.ts). */

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

export const uploadFile = implement(spec.uploadFile, {
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

export const downloadFile = implement(spec.downloadFile, {
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

export const waitForDownload = implement(spec.waitForDownload, {
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
