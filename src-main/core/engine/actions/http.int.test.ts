import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineHarness, mapSecrets, template, type EngineHarness } from '../../../../test-support/engine';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let seen: Seen[];
let h: EngineHarness;

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split('?')[0];
      if (path === '/data') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        // A careless API that echoes the credential back: it must be masked wherever it is stored.
        res.end(JSON.stringify({ items: [{ id: 7, name: '請求書' }], echoed: req.headers.authorization }));
      } else if (path === '/create') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ created: JSON.parse(body || 'null') }));
      } else if (path === '/busy') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('maintenance until 10:00');
      } else if (path === '/missing') {
        res.writeHead(404);
        res.end('no such thing');
      } else if (path === '/slow') {
        // never answers
      } else {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('プレーン');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  h?.cleanup();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('make_request', () => {
  it("runs the guide's secrets example; secret values never reach the database, logs or events", async () => {
    h = engineHarness({ secrets: mapSecrets({ api_key: 'sk-live-12345', 'external_api/api_key': 'ext-67890' }) });
    const events: string[] = [];
    h.bus.subscribe((e) => events.push(JSON.stringify(e)));
    const r = await h.run(
      template(`  - make_request:
      url: "${base}/data"
      headers:
        Authorization: "Bearer {{secrets://api_key}}"
        X-API-Key: "{{secrets://external_api/api_key}}"
      id: api
  - log: { message: "first item {{steps.api.json.items[0].name}}; key {{steps.api.json.echoed}}" }
`),
    );
    expect(r.outcome.status).toBe('succeeded');
    expect(seen[0]!.headers.authorization).toBe('Bearer sk-live-12345');
    expect(seen[0]!.headers['x-api-key']).toBe('ext-67890');
    expect(r.view.steps[0]!.params).toMatchObject({ headers: { Authorization: 'Bearer ***', 'X-API-Key': '***' } });
    expect(r.view.steps[0]!.result).toMatchObject({ status: 200, ok: true, json: { items: [{ id: 7, name: '請求書' }], echoed: 'Bearer ***' } });
    expect(r.view.steps[1]!.result).toEqual({ message: 'first item 請求書; key Bearer ***', level: 'info' });
    const stored = JSON.stringify(h.db.prepare('select * from run_steps').all()) + JSON.stringify(h.db.prepare('select * from runs').all());
    for (const secret of ['sk-live-12345', 'ext-67890', Buffer.from('sk-live-12345').toString('base64')]) {
      expect(stored).not.toContain(secret);
      expect(h.logs.lines.join('\n')).not.toContain(secret);
      expect(events.join('\n')).not.toContain(secret);
    }
    expect(h.logs.lines.join('\n')).toContain('first item 請求書; key Bearer ***');
  });

  it("fails a step with Secret 'KEY' not found, without sending anything", async () => {
    h = engineHarness();
    const r = await h.run(template(`  - make_request: { url: "${base}/data", headers: { Authorization: "Bearer {{secrets://api_key}}" } }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'SECRET_NOT_FOUND', error: "steps[0] make_request: Secret 'api_key' not found", retryable: false });
    expect(seen).toEqual([]);
  });

  it('sends JSON bodies and query parameters and reads text answers', async () => {
    h = engineHarness();
    const r = await h.run(
      template(`  - make_request: { url: "${base}/create", method: post, json: { name: "山田", tags: [a, b] }, query: { dry: "no", n: 2 }, expect_status: 201 }
  - make_request: { url: "${base}/plain" }
`),
    );
    expect(r.outcome.status).toBe('succeeded');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/create?dry=no&n=2', body: '{"name":"山田","tags":["a","b"]}' });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(r.view.steps[0]!.result).toMatchObject({ status: 201, json: { created: { name: '山田', tags: ['a', 'b'] } } });
    expect(r.view.steps[1]!.result).toMatchObject({ status: 200, body: 'プレーン' });
  });

  it('fails on an unexpected status, retryable only when the server may recover', async () => {
    h = engineHarness();
    const busy = await h.run(template(`  - make_request: { url: "${base}/busy" }\n`));
    expect(busy.outcome).toMatchObject({ status: 'failed', errorCode: 'HTTP_STATUS', retryable: true });
    expect(busy.view.steps[0]!.error).toBe(`make_request: GET ${base}/busy answered 503 Service Unavailable, expected a 2xx status: maintenance until 10:00`);
    const missing = await h.run(template(`  - make_request: { url: "${base}/missing", expect_status: [200, 204] }\n`));
    expect(missing.outcome).toMatchObject({ errorCode: 'HTTP_STATUS', retryable: false });
    expect(missing.view.steps[0]!.error).toMatch(/answered 404 Not Found, expected 200 or 204: no such thing/);
    const accepted = await h.run(template(`  - make_request: { url: "${base}/missing", expect_status: 404 }\n`));
    expect(accepted.outcome.status).toBe('succeeded');
  });

  it('times out and reports network errors as retryable', async () => {
    h = engineHarness();
    const slow = await h.run(template(`  - make_request: { url: "${base}/slow", timeout_ms: 300 }\n`));
    expect(slow.outcome).toMatchObject({ status: 'failed', errorCode: 'NETWORK_TIMEOUT', retryable: true });
    expect(slow.view.steps[0]!.error).toBe(`make_request: GET ${base}/slow timed out after 300 ms`);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await h.run(template(`  - make_request: { url: "http://127.0.0.1:${port}/x" }\n`));
    expect(refused.outcome).toMatchObject({ status: 'failed', errorCode: 'NETWORK_ERROR', retryable: true });
    expect(refused.view.steps[0]!.error).toMatch(/failed: network error ECONNREFUSED/);
  });

  it('in a dry run sends reads and only describes writes', async () => {
    h = engineHarness();
    const r = await h.run(template(`  - make_request: { url: "${base}/data" }\n  - make_request: { url: "${base}/create", method: DELETE }\n`), { dryRun: true });
    expect(r.outcome.status).toBe('succeeded');
    expect(seen.map((s) => s.method)).toEqual(['GET']);
    expect(r.view.steps[1]!.result).toEqual({ would_request: { method: 'DELETE', url: `${base}/create`, headers: [], body: false } });
  });
});
