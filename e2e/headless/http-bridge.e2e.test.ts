import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../src-main/core/kernel/authenticator';
import { startHttpServer, type RunningHttpServer } from '../../src-main/core/api/http';
import { ANONYMOUS } from '../../src-main/core/kernel/principal';
import { asUser, tempCore, type TempCore } from '../../test-support/temp-core';
import { createClient, type AgentClient } from '@shared/client/agent-client';
import { createHttpTransport } from '../../src-renderer/bridge/http-transport';

/**
 * The browser client's HTTP transport against the real HTTP adapter: every request it builds
 * from a procedure's binding is read back by the server as the same call. The authenticator
 * stands in for the users module: a request with `Authorization: Bearer runner` is a Runner.
 */
const byBearer: Authenticator = {
  authenticate: async (c) =>
    c.authorization === 'Bearer runner' ? { principal: { kind: 'user', id: 'u-runner', username: 'runner', role: 'Runner', via: 'token' } } : { principal: ANONYMOUS },
  credential: () => ({ holds: () => true }),
};

describe('the renderer HTTP transport against the real server', () => {
  let t: TempCore;
  let http: RunningHttpServer;
  let anonymous: AgentClient;
  let runner: AgentClient;

  beforeAll(async () => {
    t = await tempCore();
    http = await startHttpServer({ dispatcher: t.core.dispatcher, authenticator: byBearer, bus: t.core.bus, streams: t.core.streams, logger: t.core.logger.child('API'), host: '127.0.0.1', port: 0, allowRemote: false, bodyLimitBytes: 1 << 20 });
    // The page's fetch, relative to the page's origin; the runner's also carries a token.
    const client = (headers: Record<string, string>) =>
      createClient(
        createHttpTransport({
          fetch: (url, init) => fetch(`${http.url}${String(url)}`, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
          EventSource: undefined as unknown as typeof EventSource,
          setTimeout: (fn, ms) => setTimeout(fn, ms),
          clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
        }),
      );
    anonymous = client({});
    runner = client({ authorization: 'Bearer runner' });
  });

  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
  });

  it('calls a public procedure', async () => {
    expect(await anonymous.invoke('system.health', {})).toEqual({ status: 'ok', version: 'test' });
  });

  it('gets the 401 and 403 envelopes the dispatcher gives', async () => {
    expect(await anonymous.call('system.status', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await runner.call('system.status', {})).toMatchObject({ ok: true, data: { version: 'test', data_dir: t.core.paths.dataDir } });
  });

  it('sends a JSON body the server reads back as the same input, and gets every problem back', async () => {
    const yaml = 'name: 請求書\nsteps: []\n';
    // Over HTTP exactly what the core answers in-process.
    expect(await runner.invoke('templates.validate', { yaml })).toEqual(await t.core.invoke('templates.validate', { yaml }, asUser('Runner')));
    const bad = await runner.call('templates.validate', { yaml: 'x', extra: 1 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: '(root)', message: 'unknown field(s): extra' }] } } });
  });

  it('reads a raw answer with its content type', async () => {
    const doc = await runner.invoke('system.openapi', {});
    expect(doc.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(doc.body!)).toMatchObject({ openapi: expect.any(String) });
  });

  it('says the API is unreachable instead of throwing', async () => {
    const offline = createClient(
      createHttpTransport({ fetch: () => Promise.reject(new TypeError('fetch failed')), EventSource: undefined as unknown as typeof EventSource, setTimeout, clearTimeout: () => {} }),
    );
    expect(await offline.call('system.health', {})).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'Cannot reach the Desktop Agent API: fetch failed' } });
  });
});
