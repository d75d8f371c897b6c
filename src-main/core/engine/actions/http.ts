import { makeRequest } from '@shared/dsl/actions/http';
import { ActionError, type ActionDef } from '../action-types';
import { implement } from './implement';

/** Response bodies larger than this are refused (the result is stored with the run). */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** How much of a body an error message quotes. */
const EXCERPT = 300;

function urlWithQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query || !Object.keys(query).length) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.append(k, v);
  return u.toString();
}

async function readBody(res: Response, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_RESPONSE_BYTES) throw new ActionError('RESPONSE_TOO_LARGE', `the response is ${declared} bytes; at most ${MAX_RESPONSE_BYTES} are read`);
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    if (signal.aborted) {
      await reader.cancel();
      break;
    }
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new ActionError('RESPONSE_TOO_LARGE', `the response is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function expected(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

/** Undici hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function networkReason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ? `${err.cause.code}${err.cause.message && !err.cause.message.includes(err.cause.code) ? ` (${err.cause.message})` : ''}` : (err.cause?.message ?? err.message);
}

const makeRequestAction = implement(makeRequest, {
  async run(p, ctx) {
    const url = urlWithQuery(p.url, p.query);
    const headers: Record<string, string> = { ...p.headers };
    let body: string | undefined = p.body;
    if (p.json !== undefined) {
      body = JSON.stringify(p.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(p.timeout_ms);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const started = ctx.clock.now();
    const label = `${p.method} ${url}`;
    let res: Response;
    try {
      res = await fetch(url, { method: p.method, headers, body, signal, redirect: 'follow' });
    } catch (e) {
      if (timeout.aborted) throw new ActionError('NETWORK_TIMEOUT', `make_request: ${label} timed out after ${p.timeout_ms} ms`, true);
      if (ctx.signal.aborted) throw e;
      throw new ActionError('NETWORK_ERROR', `make_request: ${label} failed: network error ${networkReason(e)}`, true);
    }
    let raw: Buffer;
    try {
      raw = await readBody(res, signal);
    } catch (e) {
      if (e instanceof ActionError) throw new ActionError(e.code, `make_request: ${label}: ${e.message}`);
      if (timeout.aborted) throw new ActionError('NETWORK_TIMEOUT', `make_request: ${label} timed out after ${p.timeout_ms} ms while reading the answer`, true);
      throw new ActionError('NETWORK_ERROR', `make_request: ${label}: the connection broke while reading the answer: ${networkReason(e)}`, true);
    }
    const text = raw.toString('utf8');
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => (responseHeaders[k] = v));
    if (!expected(res.status, p.expect_status)) {
      const want = p.expect_status === undefined ? 'a 2xx status' : Array.isArray(p.expect_status) ? p.expect_status.join(' or ') : String(p.expect_status);
      throw new ActionError(
        'HTTP_STATUS',
        `make_request: ${label} answered ${res.status} ${res.statusText}, expected ${want}${text ? `: ${text.slice(0, EXCERPT)}${text.length > EXCERPT ? '…' : ''}` : ''}`,
        res.status >= 500 || res.status === 429 || res.status === 408,
        { status: res.status },
      );
    }
    const result: Record<string, unknown> = { status: res.status, ok: res.ok, url: res.url || url, headers: responseHeaders, duration_ms: ctx.clock.now() - started };
    const type = res.headers.get('content-type') ?? '';
    if (/[/+]json\b/i.test(type) && text.trim()) {
      try {
        result.json = JSON.parse(text) as unknown;
      } catch {
        result.body = text;
      }
    } else result.body = text;
    return result;
  },
  async dryRun(p) {
    return { would_request: { method: p.method, url: urlWithQuery(p.url, p.query), headers: Object.keys(p.headers), body: p.body !== undefined || p.json !== undefined } };
  },
});

export const httpActions: readonly ActionDef[] = [makeRequestAction];
