import { readFileSync, existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@shared/contract/errors';
import { tempCore, type TempCore } from '../../../../test-support/temp-core';
import { FAST_SCRYPT, addUser, basic, bearer, call, httpContext, passwordOf } from '../../../../test-support/users';
import { checkpoint } from '../../db/database';
import { hashToken } from './secret-token';

let t: TempCore;
afterEach(async () => t?.cleanup());
const start = async () => (t = await tempCore({ fakeClock: true, users: { scrypt: FAST_SCRYPT } })).core;
const code = (r: Envelope<unknown>) => (r.ok ? 'OK' : r.error.code);
const message = (r: Envelope<unknown>) => (r.ok ? '' : r.error.message);
const as = (username: string) => httpContext(t.core, { authorization: basic(username) });

describe('users', () => {
  it("creates users with the guide's body; roles in any case; Viewer by default; usernames unique in any case", async () => {
    await start();
    await addUser(t.core, 'admin', 'Admin');
    const admin = await as('admin');
    const pm = await t.core.invoke<{ role: string; active: boolean }>('users.create', { username: 'project_manager', password: 'secure_password', active: true, role: 'editor' }, admin);
    expect(pm).toMatchObject({ role: 'Editor', active: true });
    expect(await t.core.invoke('users.create', { username: 'watcher', password: 'secure_password' }, admin)).toMatchObject({ role: 'Viewer' });
    const dup = await call(t.core, 'users.create', { username: 'Project_Manager', password: 'another-password' }, admin);
    expect(code(dup)).toBe('CONFLICT');
    expect(message(dup)).toBe("The username 'Project_Manager' is taken");
    const bad = await call(t.core, 'users.create', { username: 'a:b', password: 'short', role: 'root' }, admin);
    expect(code(bad)).toBe('VALIDATION_ERROR');
    expect((bad.ok ? [] : (bad.error.details as { issues: { path: string }[] }).issues.map((i) => i.path)).sort()).toEqual(['password', 'role', 'username']);
    const list = await t.core.invoke<{ items: Record<string, unknown>[] }>('users.list', {}, admin);
    expect(list.items.map((u) => u.username)).toEqual(['admin', 'project_manager', 'watcher']);
    expect(JSON.stringify(list)).not.toMatch(/password|scrypt/);
  });

  it('never leaves no active Admin: the last one cannot be demoted, disabled or deleted', async () => {
    await start();
    const root = await addUser(t.core, 'root', 'Admin');
    const rootCtx = await as('root');
    for (const [name, input] of [
      ['users.update', { id: root.id, role: 'Editor' }],
      ['users.update', { id: 'root', active: false }],
      ['users.delete', { id: root.id }],
    ] as const) {
      const r = await call(t.core, name, input, rootCtx);
      expect(code(r), name).toBe('CONFLICT');
      expect(message(r)).toMatch(/'root' is the last active Admin\. Make another user an active Admin first\.$/);
    }
    // A disabled Admin does not count.
    await addUser(t.core, 'spare', 'Admin', { active: false });
    expect(code(await call(t.core, 'users.update', { id: 'root', role: 'viewer' }, rootCtx))).toBe('CONFLICT');
    expect(t.core.users.service.get('root')).toMatchObject({ role: 'Admin', active: 1 });

    // With a second active Admin, the first may step down, and then the second is the last.
    await call(t.core, 'users.update', { id: 'spare', active: true }, rootCtx);
    expect(await t.core.invoke('users.update', { id: 'root', role: 'Editor' }, rootCtx)).toMatchObject({ role: 'Editor' });
    const spareCtx = await as('spare');
    expect(code(await call(t.core, 'users.delete', { id: 'spare' }, spareCtx))).toBe('CONFLICT');
    expect(await t.core.invoke('users.delete', { id: 'root' }, spareCtx)).toMatchObject({ deleted: true, username: 'root' });
    expect(t.core.audit.query({ action: 'users.' }).map((e) => [e.action, e.result])).toContainEqual(['users.delete', 'ok']);
  });

  it('audits role changes with from and to', async () => {
    await start();
    await addUser(t.core, 'root', 'Admin');
    const alice = await addUser(t.core, 'alice', 'Viewer');
    await t.core.invoke('users.update', { id: alice.id, role: 'Runner' }, await as('root'));
    expect(t.core.audit.query({ action: 'users.update' })[0]).toMatchObject({
      user: 'root',
      permission: 'manage_users',
      resource: alice.id,
      result: 'ok',
      source: '127.0.0.1',
      details: { username: 'alice', role: { from: 'Viewer', to: 'Runner' } },
    });
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed (the plain token is not in the database file), and listed without the secret', async () => {
    await start();
    await addUser(t.core, 'root', 'Admin');
    const bot = await addUser(t.core, 'ci-bot', 'Runner');
    const created = await t.core.invoke<{ id: string; name: string; token: string }>('users.createToken', { id: bot.id, name: 'nightly' }, await as('root'));
    expect(created.token).toMatch(/^da_t_[A-Za-z0-9_-]{43}$/);
    const listed = await t.core.invoke<{ items: Record<string, unknown>[] }>('users.listTokens', { id: bot.id }, await as('root'));
    expect(listed.items).toEqual([{ id: created.id, name: 'nightly', created_at: expect.any(String), last_used_at: null, expires_at: null }]);

    // Use it once so that last_used_at is written too, then look at the bytes on disk.
    expect((await httpContext(t.core, { authorization: bearer(created.token) })).principal).toMatchObject({ username: 'ci-bot', via: 'token' });
    checkpoint(t.core.db, 'TRUNCATE');
    const files = [t.core.paths.dbFile, `${t.core.paths.dbFile}-wal`].filter(existsSync);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(bytes.includes(created.token)).toBe(false);
    expect(bytes.includes(created.token.slice(5))).toBe(false);
    expect(bytes.includes(passwordOf('ci-bot'))).toBe(false);
    expect(bytes.includes(hashToken(created.token))).toBe(true);
    // Nor in the audit log or the log file.
    expect(JSON.stringify(t.core.audit.query({ limit: 1000 }))).not.toContain(created.token);
    expect(t.logs.lines.join('\n')).not.toContain(created.token);
  });

  it('stop working when revoked or expired, and say which', async () => {
    await start();
    await addUser(t.core, 'root', 'Admin');
    const root = await as('root');
    const a = await t.core.invoke<{ id: string; token: string }>('users.createToken', { id: 'root', name: 'a' }, root);
    const soon = new Date(t.clock!.now() + 3_600_000).toISOString();
    const b = await t.core.invoke<{ token: string; expires_at: string }>('users.createToken', { id: 'root', name: 'b', expires_at: soon }, root);
    expect(b.expires_at).toBe(soon);
    expect(code(await call(t.core, 'users.createToken', { id: 'root', name: 'a' }, root))).toBe('CONFLICT');
    expect(code(await call(t.core, 'users.createToken', { id: 'root', name: 'past', expires_at: '2020-01-01T00:00:00Z' }, root))).toBe('VALIDATION_ERROR');

    expect(await t.core.invoke('users.revokeToken', { id: 'root', token_id: a.id }, root)).toEqual({ revoked: true, id: a.id });
    expect((await httpContext(t.core, { authorization: bearer(a.token) })).authFailure?.message).toBe("The API token 'a' was revoked");
    expect(code(await call(t.core, 'users.revokeToken', { id: 'root', token_id: a.id }, root))).toBe('NOT_FOUND');
    // The name is free again once revoked.
    expect(code(await call(t.core, 'users.createToken', { id: 'root', name: 'a' }, root))).toBe('OK');

    expect((await httpContext(t.core, { authorization: bearer(b.token) })).principal.kind).toBe('user');
    t.clock!.advance(3_600_000);
    expect((await httpContext(t.core, { authorization: bearer(b.token) })).authFailure?.message).toBe(`The API token 'b' expired at ${soon}`);
    expect(t.core.audit.query({ action: 'auth.bearer' }).map((e) => e.details?.reason)).toEqual(['token_expired', 'token_revoked']);
  });

  it('any signed-in user manages their own tokens; only manage_users reaches other users', async () => {
    await start();
    const viewer = await addUser(t.core, 'vera', 'Viewer');
    const other = await addUser(t.core, 'otto', 'Viewer');
    const vera = await as('vera');
    const own = await t.core.invoke<{ id: string }>('users.createToken', { id: viewer.id, name: 'mine' }, vera);
    expect(await t.core.invoke('users.listTokens', { id: 'vera' }, vera)).toMatchObject({ items: [{ id: own.id }] });
    const denied = await call(t.core, 'users.createToken', { id: other.id, name: 'theirs' }, vera);
    expect(denied).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: "Permission 'manage_users' required; your role Viewer does not have it", details: { permission: 'manage_users', role: 'Viewer' } } });
    expect(code(await call(t.core, 'users.revokeToken', { id: 'vera', token_id: own.id }, vera))).toBe('OK');
    // A self-service call cannot reach beyond tokens: changing one's own role stays Admin-only.
    expect(code(await call(t.core, 'users.update', { id: viewer.id, role: 'Admin' }, vera))).toBe('FORBIDDEN');
  });
});

describe('audit log and RBAC counters', () => {
  it('filters by action family, user, result and since, and pages with a cursor', async () => {
    await start();
    await addUser(t.core, 'root', 'Admin');
    await addUser(t.core, 'vera', 'Viewer');
    const root = await as('root');
    const vera = await as('vera');
    await call(t.core, 'users.list', {}, vera);
    t.clock!.advance(20 * 60_000);
    await call(t.core, 'users.list', {}, root);
    await call(t.core, 'audit.list', {}, vera);

    const page = await t.core.invoke<{ items: { action: string; user: string; result: string }[] }>('audit.list', { user: 'vera', result: 'denied' }, root);
    expect(page.items.map((e) => [e.action, e.result])).toEqual([
      ['audit.list', 'denied'],
      ['users.list', 'denied'],
    ]);
    const recent = await t.core.invoke<{ items: { action: string; user: string }[] }>('audit.list', { since: '15m', action: 'users.' }, root);
    expect(recent.items.map((e) => `${e.user} ${e.action}`)).toEqual(['root users.list']);
    const auth = await t.core.invoke<{ items: { action: string }[] }>('audit.list', { action: 'auth.', limit: '50' }, root);
    expect(new Set(auth.items.map((e) => e.action))).toEqual(new Set(['auth.basic']));

    const p1 = await t.core.invoke<{ items: { id: number }[]; next_cursor: string | null }>('audit.list', { limit: 2 }, root);
    const p2 = await t.core.invoke<{ items: { id: number }[]; next_cursor: string | null }>('audit.list', { limit: 2, cursor: p1.next_cursor }, root);
    expect(p2.items[0]!.id).toBeLessThan(p1.items[1]!.id);
    expect(code(await call(t.core, 'audit.list', { since: 'yesterday' }, root))).toBe('VALIDATION_ERROR');
  });

  it('records entries on behalf of a caller for other modules (recordFor), masking registered secrets', async () => {
    await start();
    await addUser(t.core, 'root', 'Admin');
    t.core.redactor.register('s3cr3t-value');
    t.core.audit.recordFor(await as('root'), { action: 'secrets.read', permission: 'manage_secrets', resource: 'api_key', result: 'ok', details: { run_id: 'run_1', leaked: 's3cr3t-value' } });
    t.core.audit.recordFor({ principal: { kind: 'anonymous' }, source: 'scheduler' }, { action: 'queues.pause', resource: 'default', result: 'ok' });
    const [pause, read] = t.core.audit.query({ limit: 2 });
    expect(read).toMatchObject({ user: 'root', action: 'secrets.read', permission: 'manage_secrets', resource: 'api_key', source: '127.0.0.1', details: { run_id: 'run_1', leaked: '***' } });
    expect(pause).toMatchObject({ user: null, action: 'queues.pause', source: 'scheduler' });
  });

  it('counts denials over 24 hours, top denied permissions and live sessions from stored data', async () => {
    await start();
    await addUser(t.core, 'root', 'Admin');
    await addUser(t.core, 'vera', 'Viewer');
    const vera = await as('vera');
    await call(t.core, 'users.list', {}, vera);
    await call(t.core, 'users.create', { username: 'x1', password: 'whatever-pw' }, vera);
    await call(t.core, 'audit.list', {}, vera);
    await call(t.core, 'users.list', {}, { principal: { kind: 'anonymous' }, source: '127.0.0.1' });
    await t.core.invoke('auth.login', { username: 'root', password: passwordOf('root') }, { principal: { kind: 'anonymous' }, source: '127.0.0.1' });
    // A failed sign-in is not a permission decision.
    await call(t.core, 'auth.login', { username: 'root', password: 'wrong-wrong' }, { principal: { kind: 'anonymous' }, source: '127.0.0.1' });

    expect(t.core.users.metrics()).toEqual({
      rbac_denied_24h: 4,
      top_denied_permissions: [
        { permission: 'manage_users', count: 3 },
        { permission: 'view_audit_log', count: 1 },
      ],
      user_active_sessions: 1,
    });
    t.clock!.advance(24 * 3_600_000 + 1);
    expect(t.core.users.metrics()).toEqual({ rbac_denied_24h: 0, top_denied_permissions: [], user_active_sessions: 0 });
  });
});
