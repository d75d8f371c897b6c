import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../../../test-support/store-backends';
import { isUniqueViolation, UserStore, type SessionRow, type TokenRow, type UserRow, type UserStorePort } from './user-store';
import { PgUserStore } from './user-store-pg';

/**
 * One suite, both backends (SPEC sections 7 and 16): users, sessions and API tokens in SQLite and
 * in PostgreSQL answer every case alike. Every call is awaited.
 */
const sqlite = sqliteBackend((db): UserStorePort => new UserStore(db));
const postgres = postgresBackend((pool): UserStorePort => new PgUserStore(pool));
afterEach(async () => {
  await sqlite.closeAll();
  await postgres.closeAll();
});

const T = Date.parse('2026-12-07T09:00:00Z');

const user = (id: string, username: string, more: Partial<UserRow> = {}): UserRow => ({
  id, username, password_hash: `scrypt$${id}`, role: 'Runner', active: 1, created_at: T, updated_at: T, password_changed_at: T, last_login_at: null, ...more,
});
const session = (id: string, userId: string, expiresAt: number): SessionRow => ({ id, user_id: userId, token_hash: `sha-${id}`, created_at: T, expires_at: expiresAt, last_used_at: T, source: '127.0.0.1' });
const token = (id: string, userId: string, name: string, more: Partial<TokenRow> = {}): TokenRow => ({
  id, user_id: userId, name, token_hash: `sha-${id}`, created_at: T, expires_at: null, last_used_at: null, revoked_at: null, ...more,
});

/** The error a call threw (or rejected with); fails when it did not. */
async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe.each([sqlite, postgres])('user store conformance ($name)', (backend) => {
  it('stores users with usernames unique and found regardless of case, lists and counts them', async () => {
    const s = await backend.open();
    await s.insert(user('u-b', 'bob', { created_at: T + 2 }));
    await s.insert(user('u-a', 'Alice', { role: 'Admin', created_at: T + 1 }));
    await s.insert(user('u-c', 'carol', { role: 'Admin', active: 0 }));
    expect(await s.byId('u-a')).toEqual(user('u-a', 'Alice', { role: 'Admin', created_at: T + 1 }));
    expect((await s.byUsername('ALICE'))!.id).toBe('u-a');
    expect(await s.byUsername('nobody')).toBeUndefined();
    expect(await s.byId('nope')).toBeUndefined();
    expect((await s.list()).map((u) => u.username)).toEqual(['Alice', 'bob', 'carol']);
    expect(await s.count()).toBe(3);
    expect((await s.active(10)).map((u) => u.id)).toEqual(['u-a', 'u-b']);
    expect((await s.active(1)).map((u) => u.id)).toEqual(['u-a']);
    expect(await s.activeAdmins()).toBe(1);
    const taken = await errorOf(() => s.insert(user('u-x', 'BOB')));
    expect(isUniqueViolation(taken)).toBe(true);
    expect(isUniqueViolation(new Error('disk full'))).toBe(false);
  });

  it('changes only the given fields of a user, and deletes a user with their sessions and tokens', async () => {
    const s = await backend.open();
    await s.insert(user('u-a', 'alice'));
    await s.update('u-a', { role: 'Editor', active: 0, last_login_at: T + 9, updated_at: T + 9 });
    await s.update('u-a', {});
    expect(await s.byId('u-a')).toEqual(user('u-a', 'alice', { role: 'Editor', active: 0, last_login_at: T + 9, updated_at: T + 9 }));
    await s.update('u-a', { active: 1, password_hash: 'scrypt$new', password_changed_at: T + 10 });
    expect(await s.byId('u-a')).toMatchObject({ active: 1, password_hash: 'scrypt$new', password_changed_at: T + 10, role: 'Editor' });
    await s.insertSession(session('ses-1', 'u-a', T + 60_000));
    await s.insertToken(token('tok-1', 'u-a', 'ci'));
    await s.delete('u-a');
    expect(await s.byId('u-a')).toBeUndefined();
    expect(await s.sessionById('ses-1')).toBeUndefined();
    expect(await s.tokenById('tok-1')).toBeUndefined();
  });

  it('keeps sessions: found by digest or id, touched, ended one or all, pruned, and counted while live', async () => {
    const s = await backend.open();
    await s.insert(user('u-a', 'alice'));
    await s.insert(user('u-b', 'bob', { active: 0 }));
    await s.insertSession(session('ses-1', 'u-a', T + 60_000));
    await s.insertSession(session('ses-2', 'u-a', T + 120_000));
    await s.insertSession(session('ses-3', 'u-a', T - 1));
    await s.insertSession(session('ses-b', 'u-b', T + 60_000));
    expect(await s.sessionByHash('sha-ses-1')).toEqual(session('ses-1', 'u-a', T + 60_000));
    expect(await s.sessionByHash('sha-nope')).toBeUndefined();
    await s.touchSession('ses-2', T + 500);
    expect((await s.sessionById('ses-2'))!.last_used_at).toBe(T + 500);
    // Active users' unexpired sessions only.
    expect(await s.liveSessions(T)).toBe(2);
    expect(await s.pruneSessions(T)).toBe(1);
    expect(await s.deleteSession('ses-1')).toBe(1);
    expect(await s.deleteSession('ses-1')).toBe(0);
    expect(await s.deleteSessionsOf('u-a')).toBe(1);
    expect(await s.liveSessions(T)).toBe(0);
    expect(isUniqueViolation(await errorOf(() => s.insertSession({ ...session('ses-4', 'u-b', T), token_hash: 'sha-ses-b' })))).toBe(true);
  });

  it('keeps API tokens: live ones listed oldest first, revoked once (the row as it was), a name free again once revoked', async () => {
    const s = await backend.open();
    await s.insert(user('u-a', 'alice'));
    await s.insert(user('u-b', 'bob'));
    await s.insertToken(token('tok-2', 'u-a', 'deploy', { created_at: T + 2, expires_at: T + 99 }));
    await s.insertToken(token('tok-1', 'u-a', 'ci', { created_at: T + 1 }));
    await s.insertToken(token('tok-b', 'u-b', 'ci'));
    expect(await s.tokenByHash('sha-tok-2')).toEqual(token('tok-2', 'u-a', 'deploy', { created_at: T + 2, expires_at: T + 99 }));
    expect((await s.tokensOf('u-a')).map((t) => t.id)).toEqual(['tok-1', 'tok-2']);
    expect(isUniqueViolation(await errorOf(() => s.insertToken(token('tok-3', 'u-a', 'ci'))))).toBe(true);
    expect(await s.revokeToken('u-b', 'tok-1', T + 5)).toBeUndefined();
    expect(await s.revokeToken('u-a', 'tok-1', T + 5)).toEqual(token('tok-1', 'u-a', 'ci', { created_at: T + 1 }));
    expect(await s.revokeToken('u-a', 'tok-1', T + 6)).toBeUndefined();
    expect((await s.tokenById('tok-1'))!.revoked_at).toBe(T + 5);
    expect((await s.tokensOf('u-a')).map((t) => t.id)).toEqual(['tok-2']);
    await s.insertToken(token('tok-3', 'u-a', 'ci', { created_at: T + 3 }));
    await s.touchToken('tok-3', T + 7);
    expect((await s.tokenById('tok-3'))!.last_used_at).toBe(T + 7);
  });

  it('revokes a token for exactly one of two revocations at once', async () => {
    const s = await backend.open();
    await s.insert(user('u-a', 'alice'));
    await s.insertToken(token('tok-1', 'u-a', 'ci'));
    const results = await Promise.all([Promise.resolve().then(() => s.revokeToken('u-a', 'tok-1', T + 1)), Promise.resolve().then(() => s.revokeToken('u-a', 'tok-1', T + 2))]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect([T + 1, T + 2]).toContain((await s.tokenById('tok-1'))!.revoked_at);
  });
});
