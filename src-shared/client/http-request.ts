import type { Envelope, ErrorBody } from '../contract/errors';
import type { ProcedureDef } from '../contract/procedure';

/** One REST request for a procedure call, built from the procedure's `http` binding. */
export interface HttpRequest {
  method: ProcedureDef['http']['method'];
  /** Path and query, relative to the API origin. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const invalid = (message: string): { ok: false; error: ErrorBody } => ({ ok: false, error: { code: 'VALIDATION_ERROR', message } });

/** Webhook paths are a catch-all route on the server: keep their slashes. */
const isCatchAll = (proc: ProcedureDef, param: string) => param === 'path' && proc.http.path.startsWith('/webhooks/');

function encodeParam(value: unknown, catchAll: boolean): string {
  const text = String(value);
  return catchAll ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text);
}

/** `key=value` pairs as a form would send them (src-shared has no URLSearchParams: it is not ECMAScript). */
function appendQuery(pairs: string[], key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) for (const v of value) appendQuery(pairs, key, v);
  else pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value))}`);
}

/**
 * Maps `(procedure, input)` onto the loopback REST API exactly as the server's HTTP adapter reads
 * it back: `{name}` path parameters come from the input field of that name, the other fields
 * travel in the query string for GET and DELETE and as a JSON body otherwise.
 */
export function buildHttpRequest(proc: ProcedureDef, input: unknown): { ok: true; request: HttpRequest } | { ok: false; error: ErrorBody } {
  if (proc.http.stream) return invalid(`${proc.name} is an event stream: use subscribe(), not invoke()`);
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    return invalid(`The input of ${proc.name} must be an object`);
  }
  const fields: Record<string, unknown> = { ...(input as Record<string, unknown> | undefined) };
  let missing: string | undefined;
  const path = proc.http.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = fields[name];
    delete fields[name];
    if (value === undefined || value === null || value === '') {
      missing ??= name;
      return '';
    }
    return encodeParam(value, isCatchAll(proc, name));
  });
  if (missing) return invalid(`${proc.name} needs '${missing}' (a path parameter of ${proc.http.path})`);

  const headers: Record<string, string> = { accept: proc.http.raw ? '*/*' : 'application/json' };
  const { method } = proc.http;
  if (method === 'GET' || method === 'DELETE') {
    const query: string[] = [];
    for (const [key, value] of Object.entries(fields)) appendQuery(query, key, value);
    const qs = query.join('&');
    return { ok: true, request: { method, url: qs ? `${path}?${qs}` : path, headers } };
  }
  headers['content-type'] = 'application/json';
  return { ok: true, request: { method, url: path, headers, body: JSON.stringify(fields) } };
}

/** Error codes for statuses the server answered without our error shape (a proxy, a crash). */
const CODE_OF_STATUS: Record<number, string> = { 400: 'VALIDATION_ERROR', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 421: 'MISDIRECTED_REQUEST', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };

/** Reads an HTTP answer back into the dispatcher's envelope. */
export function parseHttpResponse(proc: ProcedureDef, status: number, contentType: string, text: string): Envelope<unknown> {
  const isJson = /^application\/([\w.+-]+\+)?json/i.test(contentType);
  if (status >= 200 && status < 300) {
    if (proc.http.raw) return { ok: true, data: { contentType, body: text, status } };
    if (!text) return { ok: true, data: {} };
    try {
      return { ok: true, data: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: `${proc.name}: the server answered ${status} with a body that is not JSON` } };
    }
  }
  if (isJson) {
    try {
      const body = JSON.parse(text) as { error?: ErrorBody };
      if (body.error && typeof body.error.code === 'string' && typeof body.error.message === 'string') return { ok: false, error: body.error };
    } catch {
      // fall through to the generic error below
    }
  }
  const snippet = text.trim().slice(0, 200);
  return { ok: false, error: { code: CODE_OF_STATUS[status] ?? 'INTERNAL', message: `${proc.name}: HTTP ${status}${snippet ? `: ${snippet}` : ''}` } };
}

/** What the transports need of a fetch (the browser's and Node's both fit). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; credentials?: 'same-origin' },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** One procedure call over HTTP with a host's fetch: build the request, send it, read the envelope back. Never throws. */
export async function callOverHttp(
  fetchFn: FetchLike,
  proc: ProcedureDef,
  input: unknown,
  options: { baseUrl?: string; headers?: Record<string, string>; credentials?: 'same-origin'; unreachable: (e: unknown) => ErrorBody },
): Promise<Envelope<unknown>> {
  const built = buildHttpRequest(proc, input);
  if (!built.ok) return built;
  const { method, url, headers, body } = built.request;
  try {
    const res = await fetchFn(`${options.baseUrl ?? ''}${url}`, { method, headers: { ...headers, ...options.headers }, body, ...(options.credentials ? { credentials: options.credentials } : {}) });
    return parseHttpResponse(proc, res.status, res.headers.get('content-type') ?? '', await res.text());
  } catch (e) {
    return { ok: false, error: options.unreachable(e) };
  }
}
