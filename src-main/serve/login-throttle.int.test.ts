import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_SCRYPT, addUser, basic, passwordOf } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';

// Issue 21 item 4: 20 failed logins under any names from 127.0.0.1 made the admin's correct
// password (login and Basic) answer 429 for up to 15 minutes; binding to 127.0.1.N escaped the
// per-source limit. Real HTTP, from real loopback source addresses.

let serve: ServeHandle;

/** A request from a chosen local address (127.0.0.0/8 is all this machine on Linux). */
function from(localAddress: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(serve.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', localAddress, agent: false, headers: { ...opts.headers, ...(opts.body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(opts.body)) } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const login = (localAddress: string, username: string, password: string) => from(localAddress, '/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });

beforeAll(async () => {
  serve = await startServe({ dataDir: mkdtempSync(join(tmpdir(), 'da-throttle-')), host: '127.0.0.1', port: 0, allowRemote: false, env: {}, coreOverrides: { watchConfig: false, users: { scrypt: FAST_SCRYPT } } });
  await addUser(serve.core, 'admin', 'Admin');
  await addUser(serve.core, 'editor', 'Editor');
});
afterAll(async () => serve?.stop());

describe('login throttling an attacker cannot turn against the admin', () => {
  it('lets the admin in (login and Basic) after 20 failures under unknown and other names from 127.0.0.1', async () => {
    for (let i = 0; i < 16; i++) expect((await login('127.0.0.1', `nobody${i}`, 'guess-guess')).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await login('127.0.0.1', 'editor', 'guess-guess')).status).toBe(401);
    // The source is now over its limit: a wrong password is told to stop...
    const over = await login('127.0.0.1', 'nobody-more', 'guess-guess');
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body).error.details.scope).toBe('source');
    // ...but the admin's right password is not locked out, by the login procedure or by Basic.
    const ok = await login('127.0.0.1', 'admin', passwordOf('admin'));
    expect(ok.status, ok.body).toBe(200);
    const viaBasic = await from('127.0.0.1', '/api/admin/users', { headers: { authorization: basic('admin') } });
    expect(viaBasic.status, viaBasic.body).toBe(200);
  });

  it('counts every loopback address as one source: failures from 127.0.1.N add up', async () => {
    // The first test left the loopback source over its limit; other 127/8 addresses are that same source.
    for (const address of ['127.0.1.2', '127.0.1.3', '127.9.9.9']) {
      const r = await login(address, `sprayed-${address}`, 'guess-guess');
      expect(r.status, address).toBe(429);
      expect(JSON.parse(r.body).error.details.scope).toBe('source');
    }
    expect((await login('127.0.1.7', 'editor', passwordOf('editor'))).status).toBe(200);
  });

  it('keeps the per-user back-off: five failures for one user lock that user, whatever the password', async () => {
    for (let i = 0; i < 5; i++) await login('127.0.0.1', 'editor', 'wrong-editor-password');
    const r = await login('127.0.0.1', 'editor', passwordOf('editor'));
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body).error.details.scope).toBe('user');
    // Other users are not affected.
    expect((await login('127.0.0.1', 'admin', passwordOf('admin'))).status).toBe(200);
  });
});
