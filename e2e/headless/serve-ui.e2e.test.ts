import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireUiBuild } from '../support/browser';
import { ROOT, startServeProcess, type ServeProcess } from '../support/serve-process';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const builtIndex = () => readFileSync(join(ROOT, 'out', 'renderer', 'index.html'), 'utf8');

describe('`desktop-agent serve --port 0`', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    requireUiBuild();
    serve = await startServeProcess();
  });
  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    if (serve) rmSync(serve.dataDir, { recursive: true, force: true });
  });

  it('answers /healthz with its version (start-up time is measured by the benchmarks, not here)', async () => {
    const r = await fetch(`${serve.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await r.json()).toEqual({ status: 'ok', version });
  });

  it('serves the built renderer at / with a strict CSP, and its assets', async () => {
    const r = await fetch(`${serve.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await r.text();
    expect(html).toBe(builtIndex());
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${serve.url}/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers / with the shell, and unknown paths (the UI routes by #hash) with a JSON 404, never the page', async () => {
    expect(await (await fetch(`${serve.url}/`)).text()).toBe(builtIndex());
    for (const path of ['/runs/r-1', '/metricz']) {
      const r = await fetch(`${serve.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
    const api = await fetch(`${serve.url}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /api/nothing-here' } });
    // A path climbing out of out/renderer (sent raw: fetch would normalise it) never gets the file.
    const raw = await new Promise<string>((resolve, reject) => {
      const req = request(`${serve.url}/..%2f..%2f..%2f..%2fetc%2fpasswd`, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw).not.toContain('root:');
    expect(JSON.parse(raw)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
