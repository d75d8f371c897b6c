import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCEDURES, type ProcedureDef } from '@shared/contract';
import { publicEntryFor } from '@shared/rbac/public-surface';
import { PERMISSIONS, hasPermission, type Role } from '@shared/rbac/roles';
import { FakeClock } from '../core/kernel/clock';
import { FAST_SCRYPT, addUser, basic, bearer, passwordOf } from '../../test-support/users';
import { startServe, type ServeHandle } from '../host/start-serve';
import { routeUrlOf } from '../core/api/http';

/**
 * The role × procedure matrix over real HTTP: every procedure of the contract, on its REST route,
 * for every kind of caller. The expectation is derived from the procedure's declared access only;
 * nothing here is listed by hand, so a new procedure is checked the moment it is added.
 */
type Caller = { label: string; role?: Role; username?: string; headers: () => Promise<Record<string, string>> };
type Expectation = 'allowed' | 401 | 403 | 409;

const TTL = 60 * 60_000;
let serve: ServeHandle;
let clock: FakeClock;
let callers: Caller[];

beforeAll(async () => {
  clock = new FakeClock();
  serve = await startServe({
    dataDir: mkdtempSync(join(tmpdir(), 'da-matrix-')),
    host: '127.0.0.1',
    port: 0,
    allowRemote: false,
    env: {},
    coreOverrides: { clock, watchConfig: false, validateOutputs: true, users: { scrypt: FAST_SCRYPT, sessionTtlMs: TTL } },
  });
  const users = serve.core.users.service;
  const [, runner, editor, admin] = await Promise.all([
    addUser(serve.core, 'vic', 'Viewer'),
    addUser(serve.core, 'rita', 'Runner'),
    addUser(serve.core, 'ed', 'Editor'),
    addUser(serve.core, 'ada', 'Admin'),
  ]);
  await addUser(serve.core, 'gone', 'Admin', { active: false });
  const adminToken = users.createToken(admin.id, 'matrix').token;
  const revoked = users.createToken(admin.id, 'revoked');
  users.revokeToken(admin.id, revoked.row.id);
  // Every credential kind appears: Basic (Viewer), session cookie (Runner), session bearer
  // (Editor), API token (Admin). Sessions are fresh per row, so a logout in one row cannot
  // change the next; the expired one is opened, then the clock passes its lifetime.
  callers = [
    { label: 'anonymous', headers: async () => ({}) },
    { label: 'Viewer', role: 'Viewer', username: 'vic', headers: async () => ({ authorization: basic('vic') }) },
    { label: 'Runner', role: 'Runner', username: 'rita', headers: async () => ({ cookie: `da_session=${users.openSession(runner, 'test').token}` }) },
    { label: 'Editor', role: 'Editor', username: 'ed', headers: async () => ({ authorization: bearer(users.openSession(editor, 'test').token) }) },
    { label: 'Admin', role: 'Admin', username: 'ada', headers: async () => ({ authorization: bearer(adminToken) }) },
    { label: 'disabled user', headers: async () => ({ authorization: basic('gone', passwordOf('gone')) }) },
    {
      label: 'expired session',
      headers: async () => {
        const s = users.openSession(admin, 'test');
        clock.advance(TTL);
        return { authorization: bearer(s.token) };
      },
    },
    { label: 'revoked token', headers: async () => ({ authorization: bearer(revoked.token) }) },
  ];
});
afterAll(async () => serve?.stop());

function conditionHolds(p: ProcedureDef): boolean {
  if (p.publicWhen === 'public_metrics') return serve.core.config.orchestrator.api.public_metrics;
  if (p.publicWhen === 'no_users') return serve.core.users.service.count() === 0;
  return false;
}

function expected(p: ProcedureDef, c: Caller): Expectation {
  if (p.access === 'public' || conditionHolds(p)) return 'allowed';
  if (!c.role) return p.closedAnswer ? 409 : 401;
  if (p.access === 'authenticated') return 'allowed';
  return hasPermission(c.role, p.access) ? 'allowed' : 403;
}

async function request(p: ProcedureDef, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const path = p.http.path.replace(/\{[^}]+\}/g, 'matrix-probe');
  const ctl = new AbortController();
  const res = await fetch(`${serve.url}${path}`, {
    method: p.http.method,
    headers: { ...headers, ...(p.http.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: p.http.method === 'GET' ? undefined : '{}',
    signal: ctl.signal,
  });
  if (p.http.stream && res.ok) {
    ctl.abort();
    return { status: res.status, body: null };
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML or text
  }
  return { status: res.status, body };
}

describe('every procedure × every kind of caller, over real HTTP', () => {
  it('declares an access rule for every procedure, and answers without credentials only on the public list', () => {
    for (const p of PROCEDURES) {
      expect(['public', 'authenticated', ...PERMISSIONS], `${p.name} has no valid access rule`).toContain(p.access);
      if (p.access === 'public' || p.publicWhen) expect(publicEntryFor(p.http.path), `${p.name} is public but not on the public list`).toBeDefined();
    }
  });

  it('serves exactly the contract: one route per procedure, no other route', () => {
    const routes = serve.http.routes.map((r) => `${r.method} ${r.url}`).sort();
    const bindings = PROCEDURES.map((p) => `${p.http.method} ${routeUrlOf(p.http.path)}`).sort();
    expect(routes).toEqual(bindings);
  });

  it('answers each call with exactly the status its access rule implies, and audits each decision', async () => {
    const rows: string[] = [];
    const failures: string[] = [];
    for (const p of PROCEDURES) {
      for (const c of callers) {
        const want = expected(p, c);
        const { status, body } = await request(p, await c.headers());
        const error = (body as { error?: { code: string; details?: { permission?: string } } } | null)?.error;
        const last = serve.core.audit.query({ action: p.name, limit: 1 })[0];
        let ok: boolean;
        if (want === 401) ok = status === 401 && error?.code === 'UNAUTHENTICATED' && last?.result === 'denied';
        else if (want === 409) ok = status === 409 && error?.code === p.closedAnswer?.code && last?.result === 'denied';
        else if (want === 403) ok = status === 403 && error?.code === 'FORBIDDEN' && error.details?.permission === p.access && last?.result === 'denied' && last.user === c.username;
        // Allowed: the gate let it through. What the handler then says about the probe input
        // (200, 201, 400, 404, 409) is its own business; it is never a gate refusal.
        else ok = status !== 401 && status !== 403 && (p.access === 'public' || conditionHolds(p) || (last?.user === c.username && last.result !== 'denied'));
        rows.push(`${p.http.method} ${p.http.path} ${c.label}: ${status}`);
        if (!ok) failures.push(`${p.name} as ${c.label}: expected ${want}, got ${status} ${JSON.stringify(error ?? '')} (audit: ${JSON.stringify(last)})`);
      }
    }
    expect(failures).toEqual([]);
    expect(rows).toHaveLength(PROCEDURES.length * 8);
  }, 120_000);
});
