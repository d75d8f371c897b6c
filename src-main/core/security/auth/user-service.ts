import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { SessionIssued } from '@shared/contract/auth';
import type { TokenView, UserView } from '@shared/contract/users';
import { newId } from '@shared/domain/ids';
import type { Role } from '@shared/rbac/roles';
import { AppError, conflict, notFound, validationError } from '../../kernel/errors';
import type { Clock, Logger } from '../../kernel/ports';
import type { CredentialCheck } from '../../kernel/authenticator';
import type { UserPrincipal } from '../../kernel/principal';
import type { AuditLog } from '../audit/audit-log';
import { credentialCheck } from './credential-check';
import { LoginThrottle, DEFAULT_THROTTLE, throttleSource, type Refusal, type ThrottlePolicy } from './login-throttle';
import { DEFAULT_SCRYPT, dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password';
import { hashToken, newToken, sameDigest, tokenKind } from './secret-token';
import { UserStore, type SessionRow, type TokenRow, type UserRow } from './user-store';

export interface UserServiceOptions {
  db: Database;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  /** Password hashing cost (stored with each hash). Tests pass a cheaper one. */
  scrypt?: ScryptParams;
  /** How long a session lasts after sign-in. */
  sessionTtlMs?: number;
  throttle?: ThrottlePolicy;
}

/** How a password reached us: the login procedure (HTTP or the app's login screen) or an HTTP Basic header. */
export type PasswordMethod = 'login' | 'basic';

export type Verified =
  | { ok: true; user: UserRow; session?: SessionRow; token?: TokenRow }
  | { ok: false; error: AppError };

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  active: boolean;
}

export interface UserPatch {
  username?: string;
  password?: string;
  role?: Role;
  active?: boolean;
}

/** What an update changed, for the audit entry. */
export type UserChangeNotes = Record<string, unknown>;

export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
/** last_used_at is written at most this often per session or token (not on every request). */
const TOUCH_EVERY_MS = 60_000;
/** A successful HTTP Basic check is remembered this long, so scripts do not pay scrypt per request. */
const BASIC_CACHE_MS = 5 * 60_000;
const BASIC_CACHE_MAX = 1000;
/**
 * Password checks one source may have running at once. Back-off counts failures only after each
 * check, so without this a burst of parallel guesses would all be hashed (each scrypt check
 * takes 64 MiB and a thread-pool thread for a while).
 */
const MAX_CHECKS_PER_SOURCE = 4;
/** Password checks one existing user may have running at once. */
const MAX_CHECKS_PER_USER = 2;

const rateLimited = (message: string, r: Refusal) => new AppError('RATE_LIMITED', message, { retry_after_s: r.retryAfterS, scope: r.scope });

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const clip = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s);

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    active: u.active === 1,
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
    last_login_at: isoOrNull(u.last_login_at),
  };
}

function tokenView(t: TokenRow): TokenView {
  return { id: t.id, name: t.name, created_at: iso(t.created_at), last_used_at: isoOrNull(t.last_used_at), expires_at: isoOrNull(t.expires_at) };
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Users, passwords, sessions and API tokens, with the rules of SPEC section 7: never zero active
 * Admins, sessions end when the password changes or the user is disabled, back-off after failed
 * sign-ins, every sign-in audited. Used by the users module's procedures, the HTTP authenticator,
 * the desktop app's sign-in and the `users` CLI command.
 */
export class UserService {
  readonly store: UserStore;
  readonly throttle: LoginThrottle;
  private readonly clock: Clock;
  private readonly audit: AuditLog;
  private readonly log: Logger;
  private readonly scrypt: ScryptParams;
  private readonly sessionTtlMs: number;
  /** HMAC(process key, username + password) → the hash it was checked against, until when. */
  private readonly basicCache = new Map<string, { userId: string; hash: string; until: number }>();
  private readonly cacheKey = randomBytes(32);
  private readonly checking = new Map<string, number>();
  private readonly changeListeners = new Set<() => void>();

  constructor(private readonly options: UserServiceOptions) {
    this.store = new UserStore(options.db);
    this.clock = options.clock;
    this.audit = options.audit;
    this.log = options.logger;
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.throttle = new LoginThrottle(options.db, options.clock, options.throttle ?? DEFAULT_THROTTLE);
  }

  /**
   * Called after a session ends, a token is revoked, or a user is changed or deleted (event
   * streams bound to those credentials are checked again at once).
   */
  onCredentialsChanged(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private credentialsChanged(): void {
    for (const l of this.changeListeners) {
      try {
        l();
      } catch (e) {
        this.log.error('A credentials-changed listener failed', { error: e as Error });
      }
    }
  }

  /** What an event stream opened by this principal stays bound to. */
  credential(p: UserPrincipal): CredentialCheck {
    return credentialCheck(this.store, this.clock, p);
  }

  // Reading

  count(): number {
    return this.store.count();
  }

  list(): UserView[] {
    return this.store.list().map(userView);
  }

  /** A user by id or, as a convenience for people and scripts, by username. */
  find(ref: string): UserRow | undefined {
    return this.store.byId(ref) ?? this.store.byUsername(ref);
  }

  get(ref: string): UserRow {
    const u = this.find(ref);
    if (!u) throw notFound(`User '${ref}'`);
    return u;
  }

  /** The desktop app runs as the only active user when there is exactly one. */
  onlyActiveUser(): UserRow | undefined {
    const active = this.store.active(2);
    return active.length === 1 ? active[0] : undefined;
  }

  liveSessions(): number {
    return this.store.liveSessions(this.clock.now());
  }

  // Changing users

  async create(input: NewUser): Promise<UserRow> {
    const hash = await hashPassword(input.password, this.scrypt);
    return this.options.db.transaction(() => this.insertUser(input, hash))();
  }

  private insertUser(input: NewUser, hash: string): UserRow {
    const now = this.clock.now();
    const row: UserRow = {
      id: newId('usr', now),
      username: input.username,
      password_hash: hash,
      role: input.role,
      active: input.active ? 1 : 0,
      created_at: now,
      updated_at: now,
      password_changed_at: now,
      last_login_at: null,
    };
    try {
      this.store.insert(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`The username '${input.username}' is taken`, { field: 'username' });
      throw e;
    }
    return row;
  }

  /**
   * The first Admin, only while no user exists (first-run screen, DESKTOP_AGENT_ADMIN_PASSWORD).
   * Returns undefined when a user already exists. Checked and written in one transaction.
   */
  async createFirstAdmin(username: string, password: string): Promise<UserRow | undefined> {
    if (this.store.count() > 0) return undefined;
    const hash = await hashPassword(password, this.scrypt);
    return this.options.db.transaction(() => (this.store.count() > 0 ? undefined : this.insertUser({ username, password, role: 'Admin', active: true }, hash)))();
  }

  /** Rename, change role, enable/disable, reset password. Refuses to leave no active Admin. */
  async update(ref: string, patch: UserPatch): Promise<{ user: UserRow; notes: UserChangeNotes }> {
    const hash = patch.password !== undefined ? await hashPassword(patch.password, this.scrypt) : undefined;
    const result = this.options.db.transaction(() => {
      const u = this.get(ref);
      const role = patch.role ?? u.role;
      const active = patch.active ?? u.active === 1;
      if (u.role === 'Admin' && u.active === 1 && (role !== 'Admin' || !active)) this.refuseLastAdmin(u, role !== 'Admin' ? `make '${u.username}' a ${role}` : `disable '${u.username}'`);
      const now = this.clock.now();
      const notes: UserChangeNotes = { username: u.username };
      const changes: Parameters<UserStore['update']>[1] = { updated_at: now };
      if (patch.username !== undefined && patch.username !== u.username) {
        changes.username = patch.username;
        notes.renamed = { from: u.username, to: patch.username };
      }
      if (role !== u.role) {
        changes.role = role;
        notes.role = { from: u.role, to: role };
      }
      if (active !== (u.active === 1)) {
        changes.active = active ? 1 : 0;
        notes.active = { from: u.active === 1, to: active };
      }
      if (hash) {
        changes.password_hash = hash;
        changes.password_changed_at = now;
        notes.password = 'reset';
      }
      try {
        this.store.update(u.id, changes);
      } catch (e) {
        if (isUniqueViolation(e)) throw conflict(`The username '${patch.username}' is taken`, { field: 'username' });
        throw e;
      }
      // A new password or a disabled account ends every session at once (tokens of a disabled
      // user are refused at use; they work again if the user is enabled).
      if (hash || (!active && u.active === 1)) notes.sessions_ended = this.store.deleteSessionsOf(u.id);
      // A new password or enabling the account lifts a sign-in back-off for it.
      if (hash || (active && u.active !== 1)) this.throttle.reset(u.username);
      return { user: this.store.byId(u.id)!, notes };
    })();
    this.credentialsChanged();
    return result;
  }

  delete(ref: string): UserRow {
    const deleted = this.options.db.transaction(() => {
      const u = this.get(ref);
      if (u.role === 'Admin' && u.active === 1) this.refuseLastAdmin(u, `delete '${u.username}'`);
      this.store.delete(u.id);
      return u;
    })();
    this.credentialsChanged();
    return deleted;
  }

  private refuseLastAdmin(u: UserRow, what: string): void {
    if (this.store.activeAdmins() <= 1) {
      throw conflict(`Cannot ${what}: '${u.username}' is the last active Admin. Make another user an active Admin first.`, { reason: 'last_admin' });
    }
  }

  // Passwords and sign-in

  /**
   * Checks a username and password with back-off: refused at once (429) while the user or the
   * source is over its failure limit, else one scrypt check (also for unknown usernames, so
   * timing does not tell which exist). Every outcome is audited, except HTTP Basic successes
   * answered from the short cache of recent checks.
   */
  async checkPassword(username: string, password: string, source: string, method: PasswordMethod): Promise<Verified> {
    const action = method === 'basic' ? 'auth.basic' : 'auth.login';
    const refusal = this.throttle.forUser(username);
    if (refusal) {
      this.auditAuth(action, username, 'denied', source, { reason: 'backoff', scope: refusal.scope, retry_after_s: refusal.retryAfterS });
      return { ok: false, error: rateLimited(`Too many failed sign-ins for '${clip(username)}'; try again in ${refusal.retryAfterS} s`, refusal) };
    }
    // Read before the check: a source over its limit is told so on a wrong password, never on a right one.
    const sourceOver = this.throttle.forSource(source);
    const user = this.store.byUsername(username);
    const cacheKey = method === 'basic' ? createHmac('sha256', this.cacheKey).update(`${username.toLowerCase()}\0${password}`).digest('hex') : undefined;
    const cached = cacheKey ? this.basicCache.get(cacheKey) : undefined;
    const now = this.clock.now();
    let good: boolean;
    let fromCache = false;
    if (user && cached && cached.userId === user.id && cached.hash === user.password_hash && cached.until > now) {
      good = true;
      fromCache = true;
    } else {
      // Checks in flight are capped per known user (the per-user back-off bounds them further) and,
      // for names that do not exist, per source: a flood under made-up names cannot take the
      // slots a real user's sign-in needs.
      const slot = user ? `user:${user.id}` : `source:${throttleSource(source)}`;
      const running = this.checking.get(slot) ?? 0;
      if (running >= (user ? MAX_CHECKS_PER_USER : MAX_CHECKS_PER_SOURCE)) {
        this.auditAuth(action, username, 'denied', source, { reason: 'busy' });
        const who = user ? `for '${clip(username)}'` : 'from this address';
        return { ok: false, error: new AppError('RATE_LIMITED', `Too many sign-ins in progress ${who}; try again in 1 s`, { retry_after_s: 1, scope: user ? 'user' : 'source' }) };
      }
      this.checking.set(slot, running + 1);
      try {
        good = await verifyPassword(password, user?.password_hash ?? (await dummyHash(this.scrypt)));
      } finally {
        const left = (this.checking.get(slot) ?? 1) - 1;
        if (left > 0) this.checking.set(slot, left);
        else this.checking.delete(slot);
      }
      good &&= user !== undefined;
    }
    if (!good || !user) {
      this.throttle.failed(username, source);
      if (sourceOver) {
        this.auditAuth(action, username, 'denied', source, { reason: 'backoff', scope: 'source', retry_after_s: sourceOver.retryAfterS });
        return { ok: false, error: rateLimited(`Too many failed sign-ins from this address; try again in ${sourceOver.retryAfterS} s`, sourceOver) };
      }
      this.auditAuth(action, username, 'denied', source, { reason: 'bad_credentials' });
      return { ok: false, error: new AppError('UNAUTHENTICATED', 'Invalid username or password', { reason: 'bad_credentials' }) };
    }
    // Right password from here on.
    if (user.active !== 1) {
      this.auditAuth(action, user.username, 'denied', source, { reason: 'disabled' });
      return { ok: false, error: new AppError('UNAUTHENTICATED', `The account '${user.username}' is disabled`, { reason: 'disabled' }) };
    }
    if (fromCache) return { ok: true, user };
    this.throttle.reset(username);
    if (cacheKey) this.remember(cacheKey, { userId: user.id, hash: user.password_hash, until: now + BASIC_CACHE_MS });
    if (needsRehash(user.password_hash, this.scrypt)) await this.rehash(user, password);
    this.store.update(user.id, { last_login_at: now });
    this.auditAuth(action, user.username, 'ok', source, { method });
    return { ok: true, user: this.store.byId(user.id)! };
  }

  private remember(key: string, entry: { userId: string; hash: string; until: number }): void {
    if (this.basicCache.size >= BASIC_CACHE_MAX) this.basicCache.delete(this.basicCache.keys().next().value!);
    this.basicCache.set(key, entry);
  }

  /** The cost parameters were raised since this hash was made: store a new hash of the same password. */
  private async rehash(user: UserRow, password: string): Promise<void> {
    const hash = await hashPassword(password, this.scrypt);
    this.store.update(user.id, { password_hash: hash });
    this.log.info('Re-hashed a password with the current scrypt parameters', { user: user.username });
  }

  /** `auth.login` and the app's login screen: a password check, then a new session. */
  async login(username: string, password: string, source: string): Promise<SessionIssued> {
    const v = await this.checkPassword(username, password, source, 'login');
    if (!v.ok) throw v.error;
    return this.openSession(v.user, source);
  }

  /** One's own password: the current one is checked (and counts toward back-off); every session ends. */
  async changeOwnPassword(userId: string, current: string, next: string, source: string): Promise<number> {
    const u = this.get(userId);
    const refusal = this.throttle.forUser(u.username);
    if (refusal) throw rateLimited(`Too many failed attempts; try again in ${refusal.retryAfterS} s`, refusal);
    if (!(await verifyPassword(current, u.password_hash))) {
      this.throttle.failed(u.username, source);
      throw validationError('The current password is wrong', [{ path: 'current_password', message: 'is not your current password' }]);
    }
    const { notes } = await this.update(u.id, { password: next });
    return (notes.sessions_ended as number | undefined) ?? 0;
  }

  // Sessions

  openSession(user: UserRow, source: string): SessionIssued {
    const now = this.clock.now();
    const token = newToken('session');
    const expires = now + this.sessionTtlMs;
    this.store.pruneSessions(now - 86_400_000);
    this.store.insertSession({ id: newId('ses', now), user_id: user.id, token_hash: hashToken(token), created_at: now, expires_at: expires, last_used_at: now, source });
    return { token, expires_at: iso(expires), user: { id: user.id, username: user.username, role: user.role } };
  }

  endSession(sessionId: string): boolean {
    const ended = this.store.deleteSession(sessionId) > 0;
    if (ended) this.credentialsChanged();
    return ended;
  }

  sessionExpiry(sessionId: string): string | null {
    const s = this.store.sessionById(sessionId);
    return s ? iso(s.expires_at) : null;
  }

  /** A bearer secret (session or API token) → its user, or why it is refused (audited). */
  resolveBearer(token: string, source: string, allow: 'any' | 'session' = 'any'): Verified {
    const kind = tokenKind(token);
    if (kind === 'session') return this.resolveSession(token, source);
    if (kind === 'api' && allow === 'any') return this.resolveApiToken(token, source);
    return this.refuseBearer(null, source, 'unknown', allow === 'session' ? 'Unknown session; sign in again' : 'Unknown bearer token');
  }

  private resolveSession(token: string, source: string): Verified {
    const hash = hashToken(token);
    const s = this.store.sessionByHash(hash);
    if (!s || !sameDigest(s.token_hash, hash)) return this.refuseBearer(null, source, 'unknown_session', 'Unknown or ended session; sign in again');
    const user = this.store.byId(s.user_id)!;
    const now = this.clock.now();
    if (s.expires_at <= now) return this.refuseBearer(user.username, source, 'session_expired', 'Your session has expired; sign in again');
    if (user.active !== 1) return this.refuseBearer(user.username, source, 'disabled', `The account '${user.username}' is disabled`);
    if (now - s.last_used_at >= TOUCH_EVERY_MS) this.store.touchSession(s.id, now);
    return { ok: true, user, session: s };
  }

  private resolveApiToken(token: string, source: string): Verified {
    const hash = hashToken(token);
    const t = this.store.tokenByHash(hash);
    if (!t || !sameDigest(t.token_hash, hash)) return this.refuseBearer(null, source, 'unknown_token', 'Unknown API token');
    const user = this.store.byId(t.user_id)!;
    const now = this.clock.now();
    if (t.revoked_at !== null) return this.refuseBearer(user.username, source, 'token_revoked', `The API token '${t.name}' was revoked`);
    if (t.expires_at !== null && t.expires_at <= now) return this.refuseBearer(user.username, source, 'token_expired', `The API token '${t.name}' expired at ${iso(t.expires_at)}`);
    if (user.active !== 1) return this.refuseBearer(user.username, source, 'disabled', `The account '${user.username}' is disabled`);
    if (t.last_used_at === null || now - t.last_used_at >= TOUCH_EVERY_MS) this.store.touchToken(t.id, now);
    return { ok: true, user, token: t };
  }

  private refuseBearer(username: string | null, source: string, reason: string, message: string): Verified {
    this.auditAuth('auth.bearer', username, 'denied', source, { reason });
    return { ok: false, error: new AppError('UNAUTHENTICATED', message, { reason }) };
  }

  // API tokens

  createToken(ref: string, name: string, expiresAt?: string): { row: TokenRow; token: string; user: UserRow } {
    const user = this.get(ref);
    const now = this.clock.now();
    const expires = expiresAt === undefined ? null : Date.parse(expiresAt);
    if (expires !== null && expires <= now) throw validationError('expires_at is in the past', [{ path: 'expires_at', message: 'must be in the future' }]);
    const token = newToken('api');
    const row: TokenRow = { id: newId('tok', now), user_id: user.id, name, token_hash: hashToken(token), created_at: now, expires_at: expires, last_used_at: null, revoked_at: null };
    try {
      this.store.insertToken(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`'${user.username}' already has a token named '${name}'; revoke it or pick another name`, { field: 'name' });
      throw e;
    }
    return { row, token, user };
  }

  listTokens(ref: string): TokenView[] {
    return this.store.tokensOf(this.get(ref).id).map(tokenView);
  }

  revokeToken(ref: string, tokenId: string): { row: TokenRow; user: UserRow } {
    const user = this.get(ref);
    const row = this.store.revokeToken(user.id, tokenId, this.clock.now());
    if (!row) throw notFound(`API token '${tokenId}' of '${user.username}'`);
    this.credentialsChanged();
    return { row, user };
  }

  tokenView(row: TokenRow): TokenView {
    return tokenView(row);
  }

  private auditAuth(action: string, user: string | null, result: 'ok' | 'denied', source: string, details: Record<string, unknown>): void {
    try {
      this.audit.record({ user: user === null ? null : clip(user), action, result, source, details });
    } catch (e) {
      this.log.error('Could not write the audit log', { error: e as Error, action });
    }
  }
}
