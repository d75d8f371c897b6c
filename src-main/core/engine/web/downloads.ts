import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Download } from 'playwright-core';
import { ActionError, type ActionContext, type ActionResult } from '../action-types';
import { pollUntil } from '../action-polling';

/**
 * Every download a context's pages start, in order. wait_for_download takes the oldest one not
 * yet taken (started by an earlier click); download_file takes the first one after its own click.
 */
export class DownloadTracker {
  private seq = 0;
  private readonly items: { seq: number; download: Download }[] = [];

  add(download: Download): void {
    this.items.push({ seq: ++this.seq, download });
  }

  /** The sequence number of the latest download seen so far. */
  mark(): number {
    return this.seq;
  }

  async take(ctx: Pick<ActionContext, 'signal' | 'clock'>, timeoutMs: number, after = 0): Promise<{ download: Download; waitedMs: number } | undefined> {
    const polled = await pollUntil(ctx, timeoutMs, async () => {
      const i = this.items.findIndex((d) => d.seq > after);
      return i < 0 ? undefined : this.items.splice(i, 1)[0].download;
    });
    return polled.value ? { download: polled.value, waitedMs: polled.waitedMs } : undefined;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export function contentTypeFor(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** A server-suggested name made safe as a file name (no directories, no control characters). */
export function safeFileName(name: string, fallback = 'download'): string {
  // eslint-disable-next-line no-control-regex
  const base = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f<>:"|?*]/g, '_').trim();
  return base && base !== '.' && base !== '..' ? base.slice(0, 200) : fallback;
}

/**
 * `to` is a file path, or a directory (existing, or written with a trailing slash) that keeps the
 * suggested name; both pass files.allowed_roots before anything is created.
 */
export async function downloadTarget(ctx: Pick<ActionContext, 'files'>, action: string, to: string, suggested: string): Promise<string> {
  const given = ctx.files.check(to, action);
  const asDir = /[/\\]\s*$/.test(to) || (await stat(given).then((s) => s.isDirectory(), () => false));
  const target = asDir ? ctx.files.check(join(given, safeFileName(suggested)), action) : given;
  await mkdir(dirname(target), { recursive: true });
  return target;
}

/** Streamed: a large download does not hold the event loop while it is hashed. */
async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Waits for the download to finish and keeps it: at `to`, else as an artifact of the run. */
export async function keepDownload(ctx: ActionContext, action: string, download: Download, to: string | undefined): Promise<ActionResult> {
  const failure = await download.failure();
  if (failure) throw new ActionError('DOWNLOAD_FAILED', `The download of ${download.url()} failed: ${failure}`, true, { url: download.url() });
  const filename = safeFileName(download.suggestedFilename());
  if (to) {
    const target = await downloadTarget(ctx, action, to, filename);
    await download.saveAs(target);
    return { filename, path: target, bytes: (await stat(target)).size, sha256: await sha256(target), url: download.url() };
  }
  const ref = await ctx.artifacts.adopt(await download.path(), filename, contentTypeFor(filename), 'download', false);
  return { filename, artifact: ref.name, bytes: ref.bytes, sha256: await sha256(join(ctx.artifacts.dir, ref.name)), url: download.url() };
}

/** The file name a response names in Content-Disposition (RFC 6266, with RFC 5987 filename*), else the URL's last segment. */
export function responseFileName(contentDisposition: string | undefined, url: string): string {
  if (contentDisposition) {
    const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(contentDisposition);
    if (star) {
      try {
        return safeFileName(decodeURIComponent(star[2].trim()));
      } catch {
        /* malformed percent-encoding: fall back to the plain filename */
      }
    }
    const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(contentDisposition);
    if (plain) return safeFileName((plain[2] ?? plain[1]).trim());
  }
  try {
    return safeFileName(decodeURIComponent(new URL(url).pathname.split('/').pop() ?? ''));
  } catch {
    return 'download';
  }
}
