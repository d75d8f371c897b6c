import type { Database, Statement } from 'better-sqlite3';
import type { Role } from '@shared/rbac/roles';
import type { Awaitable } from '../../kernel/awaitable';

/** The SQL of users, sessions and API tokens (tables of migration 0003). No rules here: see user-service.ts and the modules it composes. */
export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  active: 0 | 1;
  created_at: number;
  updated_at: number;
  password_changed_at: number;
  last_login_at: number | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  last_used_at: number;
  source: string;
}

export interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type UserChanges = Partial<Pick<UserRow, 'username' | 'password_hash' | 'role' | 'active' | 'updated_at' | 'password_changed_at' | 'last_login_at'>>;

/** A UNIQUE constraint refused the write (a taken username, a token name used twice): SQLite's code, or PostgreSQL's 23505. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * What the auth modules ask of their store (SQLite here, PostgreSQL in user-store-pg.ts for a
 * fleet, where every node signs in against one set of users, sessions and tokens). Usernames are
 * unique and found regardless of case; a session or token is found by the digest of its secret.
 */
export interface UserStorePort {
  byId(id: string): Awaitable<UserRow | undefined>;
  byUsername(username: string): Awaitable<UserRow | undefined>;
  /** By username, ignoring case. */
  list(): Awaitable<UserRow[]>;
  count(): Awaitable<number>;
  active(limit: number): Awaitable<UserRow[]>;
  activeAdmins(): Awaitable<number>;
  insert(row: UserRow): Awaitable<void>;
  update(id: string, changes: UserChanges): Awaitable<void>;
  delete(id: string): Awaitable<void>;
  insertSession(row: SessionRow): Awaitable<void>;
  sessionByHash(hash: string): Awaitable<SessionRow | undefined>;
  sessionById(id: string): Awaitable<SessionRow | undefined>;
  touchSession(id: string, now: number): Awaitable<void>;
  deleteSession(id: string): Awaitable<number>;
  deleteSessionsOf(userId: string): Awaitable<number>;
  pruneSessions(before: number): Awaitable<number>;
  liveSessions(now: number): Awaitable<number>;
  insertToken(row: TokenRow): Awaitable<void>;
  tokenByHash(hash: string): Awaitable<TokenRow | undefined>;
  tokenById(id: string): Awaitable<TokenRow | undefined>;
  /** The user's tokens not revoked, oldest first. */
  tokensOf(userId: string): Awaitable<TokenRow[]>;
  /** Revokes a live token of this user; the row as it was, or undefined when there is none. */
  revokeToken(userId: string, tokenId: string, now: number): Awaitable<TokenRow | undefined>;
  touchToken(id: string, now: number): Awaitable<void>;
}

/** The columns a user change may set, in one order for both backends. */
export const USER_CHANGE_FIELDS = ['username', 'password_hash', 'role', 'active', 'updated_at', 'password_changed_at', 'last_login_at'] as const;

export class UserStore implements UserStorePort {
  constructor(readonly db: Database) {}

  private readonly stmts = new Map<string, Statement<unknown[]>>();
  private st(sql: string): Statement<unknown[]> {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare<unknown[]>(sql)));
    return s;
  }

  // Users

  byId(id: string): UserRow | undefined {
    return this.st('select * from users where id = ?').get(id) as UserRow | undefined;
  }

  byUsername(username: string): UserRow | undefined {
    return this.st('select * from users where username = ?').get(username) as UserRow | undefined;
  }

  list(): UserRow[] {
    return this.st('select * from users order by username').all() as UserRow[];
  }

  count(): number {
    return this.st('select count(*) from users').pluck().get() as number;
  }

  /** Up to `limit` active users (the desktop app runs as the only one when there is exactly one). */
  active(limit: number): UserRow[] {
    return this.st('select * from users where active = 1 order by created_at limit ?').all(limit) as UserRow[];
  }

  activeAdmins(): number {
    return this.st("select count(*) from users where active = 1 and role = 'Admin'").pluck().get() as number;
  }

  insert(row: UserRow): void {
    this.st(
      'insert into users(id, username, password_hash, role, active, created_at, updated_at, password_changed_at, last_login_at) values (@id, @username, @password_hash, @role, @active, @created_at, @updated_at, @password_changed_at, @last_login_at)',
    ).run(row);
  }

  update(id: string, changes: UserChanges): void {
    const fields = USER_CHANGE_FIELDS.filter((f) => changes[f] !== undefined);
    if (!fields.length) return;
    this.st(`update users set ${fields.map((f) => `${f} = @${f}`).join(', ')} where id = @id`).run({ ...pick(changes, fields), id });
  }

  delete(id: string): void {
    this.st('delete from users where id = ?').run(id);
  }

  // Sessions

  insertSession(row: SessionRow): void {
    this.st(
      'insert into sessions(id, user_id, token_hash, created_at, expires_at, last_used_at, source) values (@id, @user_id, @token_hash, @created_at, @expires_at, @last_used_at, @source)',
    ).run(row);
  }

  sessionByHash(hash: string): SessionRow | undefined {
    return this.st('select * from sessions where token_hash = ?').get(hash) as SessionRow | undefined;
  }

  sessionById(id: string): SessionRow | undefined {
    return this.st('select * from sessions where id = ?').get(id) as SessionRow | undefined;
  }

  touchSession(id: string, now: number): void {
    this.st('update sessions set last_used_at = ? where id = ?').run(now, id);
  }

  deleteSession(id: string): number {
    return this.st('delete from sessions where id = ?').run(id).changes;
  }

  deleteSessionsOf(userId: string): number {
    return this.st('delete from sessions where user_id = ?').run(userId).changes;
  }

  /** Sessions that expired before `before` are gone for good. */
  pruneSessions(before: number): number {
    return this.st('delete from sessions where expires_at < ?').run(before).changes;
  }

  /** Unexpired sessions of active users (`user_active_sessions`). */
  liveSessions(now: number): number {
    return this.st('select count(*) from sessions s join users u on u.id = s.user_id where s.expires_at > ? and u.active = 1').pluck().get(now) as number;
  }

  // API tokens

  insertToken(row: TokenRow): void {
    this.st(
      'insert into api_tokens(id, user_id, name, token_hash, created_at, expires_at, last_used_at, revoked_at) values (@id, @user_id, @name, @token_hash, @created_at, @expires_at, @last_used_at, @revoked_at)',
    ).run(row);
  }

  tokenByHash(hash: string): TokenRow | undefined {
    return this.st('select * from api_tokens where token_hash = ?').get(hash) as TokenRow | undefined;
  }

  tokenById(id: string): TokenRow | undefined {
    return this.st('select * from api_tokens where id = ?').get(id) as TokenRow | undefined;
  }

  tokensOf(userId: string): TokenRow[] {
    return this.st('select * from api_tokens where user_id = ? and revoked_at is null order by created_at, id').all(userId) as TokenRow[];
  }

  revokeToken(userId: string, tokenId: string, now: number): TokenRow | undefined {
    const row = this.st('select * from api_tokens where id = ? and user_id = ? and revoked_at is null').get(tokenId, userId) as TokenRow | undefined;
    if (row) this.st('update api_tokens set revoked_at = ? where id = ?').run(now, tokenId);
    return row;
  }

  touchToken(id: string, now: number): void {
    this.st('update api_tokens set last_used_at = ? where id = ?').run(now, id);
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
