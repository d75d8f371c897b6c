import { rawHttp } from '../../test-support/raw-http';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES } from '@shared/contract';
import { publicEntryFor } from '@shared/rbac/public-surface';
import { FAST_SCRYPT, addUser, basic, passwordOf } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';

const raw = rawHttp;

const json = { 'content-type': 'application/json' };
let serve: ServeHandle;
let admin: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'da-harden-'));
  const staticDir = join(dataDir, 'ui');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Desktop Agent</title>');
  serve = await startServe({ dataDir, host: '127.0.0.1', port: 0, allowRemote: false, env: {}, staticDir, coreOverrides: { watchConfig: false, users: { scrypt: FAST_SCRYPT } } });
  await addUser(serve.core, 'admin', 'Admin');
  admin = basic('admin');
});
afterAll(async () => serve?.stop());

describe('loopback hardening over real HTTP', () => {
  it('refuses Host: attacker.example (DNS rebinding) with 421, even with valid credentials', async () => {
    for (const host of ['attacker.example', `attacker.example:${serve.http.port}`, `127.0.0.1.nip.io:${serve.http.port}`]) {
      const r = await raw(`${serve.url}/api/admin/users`, { headers: { host, authorization: admin } });
      expect(r.status, host).toBe(421);
      expect(JSON.parse(r.body).error.code).toBe('MISDIRECTED_REQUEST');
    }
    expect((await raw(`${serve.url}/api/admin/users`, { headers: { host: `localhost:${serve.http.port}`, authorization: admin } })).status).toBe(200);
  });

  it('refuses Origin: http://attacker.example on a state-changing request with 403, and nothing changes', async () => {
    const body = JSON.stringify({ username: 'planted', password: 'planted-password', role: 'Admin' });
    for (const headers of [{ origin: 'http://attacker.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const r = await raw(`${serve.url}/api/admin/users`, { method: 'POST', headers: { ...json, authorization: admin, ...headers }, body });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('CROSS_SITE_REQUEST');
    }
    expect(serve.core.users.service.find('planted')).toBeUndefined();
    // The same request from our own origin (the served UI) goes through.
    const own = await raw(`${serve.url}/api/admin/users`, { method: 'POST', headers: { ...json, authorization: admin, origin: serve.url }, body });
    expect(own.status).toBe(201);
  });

  // Issue 21 item 10: these look-alikes, and a missing Origin with a foreign Referer, were accepted.
  it('refuses look-alike origins and a Referer without Origin on a state-changing request with 403, and nothing changes', async () => {
    const port = serve.http.port;
    const body = JSON.stringify({ username: 'lookalike', password: 'planted-password', role: 'Admin' });
    const forged: Record<string, string>[] = [
      ...[`http://127.0.0.2:${port}`, `http://0x7f.1:${port}`, `http://2130706433:${port}`, `http://127.0.0.1.:${port}`, `https://127.0.0.1:${port}`, `https://localhost:${port}`].map((origin) => ({ origin })),
      { referer: 'http://attacker.example/csrf.html' },
    ];
    for (const headers of forged) {
      const r = await raw(`${serve.url}/api/admin/users`, { method: 'POST', headers: { ...json, authorization: admin, ...headers }, body });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('CROSS_SITE_REQUEST');
    }
    expect(serve.core.users.service.find('lookalike')).toBeUndefined();
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const r = await raw(`${serve.url}/api/admin/users/lookalike`, { method: 'DELETE', headers: { authorization: admin, origin } });
      expect(r.status, origin).toBe(404);
    }
  });

  it('sends no CORS headers, not even to a preflight', async () => {
    const pre = await raw(`${serve.url}/api/admin/users`, { method: 'OPTIONS', headers: { origin: 'http://attacker.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(403);
    const ok = await raw(`${serve.url}/api/admin/users`, { headers: { authorization: admin } });
    for (const r of [pre, ok]) expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a 10 MB body early: the 413 comes back after the first 64 KB, before the rest is sent', async () => {
    const port = serve.http.port;
    const answer = await new Promise<{ status: string; sentBytes: number }>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let sent = 0;
      let got = '';
      socket.on('connect', () => {
        socket.write(
          `POST /api/admin/users HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${admin}\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`,
        );
        const chunk = Buffer.alloc(64 * 1024, 'a');
        socket.write(chunk);
        sent += chunk.length;
      });
      socket.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n')) {
          resolve({ status: got.split('\r\n')[0]!, sentBytes: sent });
          socket.destroy();
        }
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer after sending ${sent} bytes`)), 5000).unref();
    });
    expect(answer.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.sentBytes).toBe(64 * 1024);
  });

  it('refuses a streamed (chunked) body once it passes the limit', async () => {
    const limit = serve.core.config.orchestrator.api.max_body_kb * 1024;
    const r = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request({ host: '127.0.0.1', port: serve.http.port, path: '/api/admin/users', method: 'POST', agent: false, headers: { ...json, authorization: admin, 'transfer-encoding': 'chunked' } }, (res) => {
        resolve({ status: res.statusCode ?? 0, sent });
        res.resume();
        req.destroy();
      });
      // The server answers 413 and closes; with our bytes still unread on its side, its close is a
      // reset, which can reach this client before the 413 does (seen under load). A reset is also
      // a refusal: what counts is that the server stopped taking the body near the limit.
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: 0, sent }) : reject(e)));
      const pump = () => {
        while (sent < 10 * 1024 * 1024 && req.write(Buffer.alloc(16 * 1024, 'b'))) sent += 16 * 1024;
        if (sent < 10 * 1024 * 1024) req.once('drain', pump);
      };
      pump();
    });
    expect([413, 0], 'a 413, or the connection reset after it').toContain(r.status);
    expect(r.sent).toBeLessThan(limit + 4 * 1024 * 1024);
  });

  it('puts security headers and a strict CSP on HTML pages', async () => {
    for (const [path, headers] of [
      ['/', {}],
      ['/docs', { authorization: admin }],
    ] as const) {
      const r = await raw(`${serve.url}${path}`, { headers });
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('answers without credentials only on the public list: a walk over /openapi.json', async () => {
    const spec = JSON.parse((await raw(`${serve.url}/openapi.json`, { headers: { authorization: admin } })).body) as { paths: Record<string, Record<string, { operationId: string }>> };
    const byName = new Map(PROCEDURES.map((p) => [p.name, p]));
    const walked: string[] = [];
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const r = await raw(`${serve.url}${path.replace(/\{[^}]+\}/g, 'probe')}`, {
          method: method.toUpperCase(),
          headers: method === 'get' ? {} : json,
          body: method === 'get' ? undefined : '{}',
        });
        const entry = publicEntryFor(path);
        const proc = byName.get(op.operationId)!;
        const open = entry && (!entry.when || (entry.when === 'public_metrics' ? serve.core.config.orchestrator.api.public_metrics : serve.core.users.service.count() === 0));
        walked.push(`${method.toUpperCase()} ${path} → ${r.status}`);
        if (open) expect(r.status, `${method} ${path}`).not.toBe(401);
        else if (proc.closedAnswer) {
          // A settled question (first-run after set-up) is answered as such, and nothing is done.
          expect(r.status, `${method} ${path} once closed`).toBe(409);
          expect(JSON.parse(r.body).error.code).toBe(proc.closedAnswer.code);
        } else {
          expect(r.status, `${method} ${path} answered without credentials`).toBe(401);
          expect(JSON.parse(r.body).error.code).toBe('UNAUTHENTICATED');
          expect(r.headers['www-authenticate']).toBe('Bearer realm="desktop-agent"');
        }
        expect(proc, op.operationId).toBeDefined();
      }
    }
    expect(walked).toHaveLength(PROCEDURES.length);
  });
});

describe('signing in over HTTP', () => {
  it('sets an HttpOnly SameSite=Strict session cookie that signs the served UI in, and logout clears it', async () => {
    const r = await raw(`${serve.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: passwordOf('admin') }) });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { token: string; expires_at: string; user: { username: string; role: string } };
    expect(body.user).toMatchObject({ username: 'admin', role: 'Admin' });
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toBe(`da_session=${body.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`);

    const me = await raw(`${serve.url}/api/auth/me`, { headers: { cookie: `da_session=${body.token}` } });
    expect(JSON.parse(me.body)).toMatchObject({ username: 'admin', role: 'Admin', via: 'session', session_expires_at: body.expires_at });

    const out = await raw(`${serve.url}/api/auth/logout`, { method: 'POST', headers: { ...json, cookie: `da_session=${body.token}` }, body: '{}' });
    expect(JSON.parse(out.body)).toEqual({ ok: true, ended: true });
    expect(String(out.headers['set-cookie'])).toBe('da_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    const after = await raw(`${serve.url}/api/auth/me`, { headers: { cookie: `da_session=${body.token}` } });
    expect(after.status).toBe(401);
  });

  it('keeps the session cookie when a password change is refused, and clears it when the change is made', async () => {
    await addUser(serve.core, 'changer', 'Viewer');
    const login = await raw(`${serve.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'changer', password: passwordOf('changer') }) });
    const cookie = `da_session=${(JSON.parse(login.body) as { token: string }).token}`;
    const change = (current: string) =>
      raw(`${serve.url}/api/auth/password`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ current_password: current, new_password: 'a-new-password-1' }) });

    const wrong = await change('not-my-password');
    expect(wrong.status).toBe(400);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await raw(`${serve.url}/api/auth/me`, { headers: { cookie } })).status).toBe(200);

    const right = await change(passwordOf('changer'));
    expect(right.status).toBe(200);
    expect(String(right.headers['set-cookie'])).toBe('da_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect((await raw(`${serve.url}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('answers five bad passwords with 401 and the sixth attempt with 429 and Retry-After', async () => {
    await addUser(serve.core, 'lockme', 'Viewer');
    const attempt = (password: string) => raw(`${serve.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'lockme', password }) });
    for (let i = 0; i < 5; i++) expect((await attempt('bad-password')).status).toBe(401);
    const r = await attempt(passwordOf('lockme'));
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(890);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'user' } });
    // HTTP Basic for the same user is held back too.
    const b = await raw(`${serve.url}/api/auth/me`, { headers: { authorization: basic('lockme') } });
    expect(b.status).toBe(429);
    expect(b.headers['retry-after']).toBeDefined();
  });
});
