import { rawHttp } from '../../test-support/raw-http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@shared/contract/events';
import { FLEET_SERVE_NOT_YET, startServe, type ServeHandle } from './start-serve';

const raw = rawHttp;

describe('desktop-agent serve (in process)', () => {
  let serve: ServeHandle;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'da-serve-'));
    serve = await startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false, coreOverrides: { watchConfig: true } });
  });
  afterAll(async () => {
    await serve.stop();
  });

  it('answers /healthz with the version and writes runtime.json', async () => {
    const r = await raw(`${serve.url}/healthz`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok', version: serve.core.version });
    const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8'));
    expect(runtime).toMatchObject({ pid: process.pid, url: serve.url });
    expect(runtime.started_at).toMatch(/Z$/);
  });

  it('refuses a foreign Host header (DNS rebinding) with 421', async () => {
    const r = await raw(`${serve.url}/healthz`, { headers: { Host: 'evil.example' } });
    expect(r.status).toBe(421);
    expect(JSON.parse(r.body).error.code).toBe('MISDIRECTED_REQUEST');
  });

  it('refuses a cross-site Origin with 403', async () => {
    const r = await raw(`${serve.url}/api/templates/validate`, {
      method: 'POST',
      headers: { Origin: 'http://attacker.example', 'Content-Type': 'application/json' },
      body: '{"yaml":"x"}',
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.code).toBe('CROSS_SITE_REQUEST');
  });

  it('answers malformed JSON with a structured 400, and keeps serving', async () => {
    const r = await raw(`${serve.url}/api/templates/validate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"yaml": ' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'INVALID_JSON', message: expect.stringContaining('not valid JSON') });
    expect((await raw(`${serve.url}/healthz`)).status).toBe(200);
  });

  it('answers an unknown route with a structured 404', async () => {
    const r = await raw(`${serve.url}/api/nothing-here`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error).toEqual({ code: 'NOT_FOUND', message: 'No route GET /api/nothing-here' });
  });

  it('refuses a body over the limit with 413', async () => {
    const r = await raw(`${serve.url}/api/templates/validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.alloc(2 * 1024 * 1024, 'a'),
    }).catch((e: NodeJS.ErrnoException) => ({ status: e.code === 'EPIPE' || e.code === 'ECONNRESET' ? 413 : 0, headers: {}, body: '{}' }));
    expect(r.status).toBe(413);
  });

  it('requires credentials for everything outside the public list', async () => {
    for (const path of ['/api/system/status', '/openapi.json', '/docs', '/api/events']) {
      const r = await raw(`${serve.url}${path}`);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('sends security headers', async () => {
    const r = await raw(`${serve.url}/healthz`);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps the previous configuration when a hot reload is invalid, and says where', async () => {
    const file = join(dataDir, 'configs', 'orchestrator.yaml');
    const seen: AgentEvent[] = [];
    const off = serve.core.bus.subscribe((e) => seen.push(e));
    const waitFor = (type: string) =>
      new Promise<AgentEvent>((resolve) => {
        const check = () => {
          const e = seen.find((x) => x.type === type);
          if (e) resolve(e);
          else setTimeout(check, 20);
        };
        check();
      });
    writeFileSync(file, 'queues:\n  default:\n    max_concurrent: 4\n');
    await waitFor('config.reloaded');
    expect(serve.core.config.orchestrator.queues.default!.max_concurrent).toBe(4);
    writeFileSync(file, 'queues:\n  default:\n    max_concurrent: -1\n');
    const rejected = await waitFor('config.rejected');
    off();
    expect((rejected.data as { errors: string[] }).errors[0]).toBe(`${file}:3:21: queues.default.max_concurrent: Too small: expected number to be >=1`);
    expect(serve.core.config.orchestrator.queues.default!.max_concurrent).toBe(4);
  });
});

describe('desktop-agent serve with storage.kind: postgres', () => {
  it('refuses to start on SQLite, says why, and leaves the data dir free', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'da-serve-pg-'));
    mkdirSync(join(dataDir, 'configs'), { recursive: true });
    writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), 'storage:\n  kind: postgres\n  url: secrets://fleet_db_url\n');
    await expect(startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false })).rejects.toThrow(FLEET_SERVE_NOT_YET);
    // The lock was released: a serve with the setting removed starts on the same data dir.
    writeFileSync(join(dataDir, 'configs', 'orchestrator.yaml'), 'storage:\n  kind: sqlite\n');
    const serve = await startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false });
    await serve.stop();
  });
});
