import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT, PROCEDURES } from '../contract';
import { defineProcedure, type ProcedureDef } from '../contract/procedure';
import { buildHttpRequest, parseHttpResponse, type HttpRequest } from './http-request';

/** Reads a request back the way src-main/core/api/http.ts does: `{...query, ...body, ...params}`. */
function readBack(proc: ProcedureDef, req: HttpRequest): Record<string, unknown> {
  const [path, qs = ''] = req.url.split('?') as [string, string?];
  const names: string[] = [];
  const pattern = proc.http.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
    names.push(name);
    return name === 'path' ? '(.+)' : '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) throw new Error(`${req.url} does not match ${proc.http.path}`);
  const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
  const query: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(qs)) query[k] = k in query ? [query[k], v].flat() : v;
  const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
  return { ...query, ...body, ...params };
}

/** A value for every field a procedure's input declares, path parameters included. */
function sampleInput(proc: ProcedureDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shape = (proc.input as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  for (const key of Object.keys(shape)) out[key] = `v-${key} ü/`;
  for (const m of proc.http.path.matchAll(/\{([^}]+)\}/g)) out[m[1]!] = `id ${m[1]}/ä`;
  return out;
}

describe('buildHttpRequest against the real contract', () => {
  it('names every callable procedure by its own method and path, and the server reads the input back unchanged', () => {
    const callable = PROCEDURES.filter((p) => !p.http.stream);
    expect(callable.length).toBeGreaterThan(0);
    for (const proc of callable) {
      const input = sampleInput(proc);
      const built = buildHttpRequest(proc, input);
      expect(built.ok, proc.name).toBe(true);
      if (!built.ok) continue;
      expect(built.request.method, proc.name).toBe(proc.http.method);
      expect(readBack(proc, built.request), proc.name).toEqual(input);
    }
  });

  it('sends GET /healthz with no body for system.health', () => {
    const r = buildHttpRequest(CONTRACT['system.health'], {});
    expect(r).toEqual({ ok: true, request: { method: 'GET', url: '/healthz', headers: { accept: 'application/json' } } });
  });

  it('puts templates.validate input in a JSON body', () => {
    const r = buildHttpRequest(CONTRACT['templates.validate'], { yaml: 'name: 日本語\n' });
    expect(r.ok && r.request).toEqual({
      method: 'POST',
      url: '/api/templates/validate',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{"yaml":"name: 日本語\\n"}',
    });
  });

  it('asks for any content type from raw procedures (the OpenAPI document)', () => {
    const r = buildHttpRequest(CONTRACT['system.openapi'], {});
    expect(r.ok && r.request.headers.accept).toBe('*/*');
  });

  it('refuses to call the event stream as a procedure', () => {
    const r = buildHttpRequest(CONTRACT['events.subscribe'], {});
    expect(r).toEqual({ ok: false, error: { code: 'VALIDATION_ERROR', message: 'events.subscribe is an event stream: use subscribe(), not invoke()' } });
  });

  it('refuses an input that is not an object', () => {
    for (const bad of [null, 'x', 3, ['a']]) {
      const r = buildHttpRequest(CONTRACT['system.status'], bad);
      expect(r.ok ? '' : r.error.message).toBe('The input of system.status must be an object');
    }
  });
});

describe('buildHttpRequest with path parameters (SPEC section 12 shapes)', () => {
  const getRun = defineProcedure({ name: 'runs.get', summary: '', access: 'read_runs', kind: 'query', input: z.object({ id: z.string() }), output: z.unknown(), http: { method: 'GET', path: '/api/runs/{id}' } });
  const deleteSecret = defineProcedure({ name: 'secrets.delete', summary: '', access: 'manage_secrets', kind: 'mutation', input: z.object({ service: z.string(), key: z.string() }), output: z.unknown(), http: { method: 'DELETE', path: '/api/secrets/{service}/{key}' } });
  const listRuns = defineProcedure({ name: 'runs.list', summary: '', access: 'read_runs', kind: 'query', input: z.object({ status: z.string().optional(), limit: z.number().optional() }), output: z.unknown(), http: { method: 'GET', path: '/api/runs' } });
  const deny = defineProcedure({ name: 'approvals.deny', summary: '', access: 'respond_hitl', kind: 'mutation', input: z.object({ id: z.string(), comment: z.string() }), output: z.unknown(), http: { method: 'POST', path: '/api/approvals/{id}/deny' } });
  const hook = defineProcedure({ name: 'webhooks.receive', summary: '', access: 'public', kind: 'mutation', input: z.object({ path: z.string() }), output: z.unknown(), http: { method: 'POST', path: '/webhooks/{path}' } });

  it('fills path parameters from the input, encoded, and keeps them out of query and body', () => {
    const r = buildHttpRequest(getRun, { id: 'run 1/é' });
    expect(r.ok && r.request.url).toBe('/api/runs/run%201%2F%C3%A9');
    const d = buildHttpRequest(deleteSecret, { service: 'external_api', key: 'api_key' });
    expect(d.ok && [d.request.method, d.request.url, d.request.body]).toEqual(['DELETE', '/api/secrets/external_api/api_key', undefined]);
  });

  it('sends the remaining fields of a POST as JSON and of a GET as a query', () => {
    const p = buildHttpRequest(deny, { id: 'a1', comment: '金額が違います' });
    expect(p.ok && [p.request.url, p.request.body]).toEqual(['/api/approvals/a1/deny', '{"comment":"金額が違います"}']);
    const g = buildHttpRequest(listRuns, { status: 'failed', limit: 20, cursor: undefined });
    expect(g.ok && g.request.url).toBe('/api/runs?status=failed&limit=20');
  });

  it('keeps the slashes of a webhook path', () => {
    const r = buildHttpRequest(hook, { path: 'crm/new lead' });
    expect(r.ok && r.request.url).toBe('/webhooks/crm/new%20lead');
  });

  it('says which path parameter is missing', () => {
    const r = buildHttpRequest(deleteSecret, { key: 'api_key' });
    expect(r.ok ? '' : r.error).toEqual({ code: 'VALIDATION_ERROR', message: "secrets.delete needs 'service' (a path parameter of /api/secrets/{service}/{key})" });
  });
});

describe('parseHttpResponse', () => {
  const status = CONTRACT['system.status'];
  it('returns the JSON data of a 2xx answer', () => {
    expect(parseHttpResponse(status, 200, 'application/json; charset=utf-8', '{"version":"1"}')).toEqual({ ok: true, data: { version: '1' } });
  });
  it('returns the server error body as it is', () => {
    const body = { error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } };
    expect(parseHttpResponse(status, 401, 'application/json', JSON.stringify(body))).toEqual({ ok: false, ...body });
  });
  it('gives an error without our shape a code from its status', () => {
    expect(parseHttpResponse(status, 502, 'text/html', '<h1>Bad gateway</h1>')).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'system.status: HTTP 502: <h1>Bad gateway</h1>' } });
    expect(parseHttpResponse(status, 403, 'text/plain', '')).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'system.status: HTTP 403' } });
  });
  it('wraps a raw answer with its content type', () => {
    expect(parseHttpResponse(CONTRACT['system.docs'], 200, 'text/html', '<html>')).toEqual({ ok: true, data: { contentType: 'text/html', body: '<html>', status: 200 } });
  });
});
