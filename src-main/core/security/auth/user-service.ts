import type { Database } from 'better-sqlite3';
import type { SessionIssued } from '@shared/contract/auth';
import type { TokenView, UserView } from '@shared/contract/users';
import { validationError } from '../../kernel/errors';
import { Listeners } from '../../kernel/listeners';
import type { Clock, Logger } from '../../kernel/ports';
import type { CredentialCheck } from '../../kernel/authenticator';
import type { UserPrincipal } from '../../kernel/principal';
import type { AuditLog } from '../audit/audit-log';
import { ApiTokens } from './api-tokens';
import { AuthAudit, rateLimited, type Verified } from './auth-audit';
import { credentialCheck } from './credential-check';
import { LoginThrottle, DEFAULT_THROTTLE, type ThrottlePolicy } from './login-throttle';
import { DEFAULT_SCRYPT, verifyPassword, type ScryptParams } from './password';
import { PasswordCheck, type PasswordMethod } from './password-check';
import { tokenKind } from './secret-token';
import { DEFAULT_SESSION_TTL_MS, Sessions } from './sessions';
import { UserAccounts, type NewUser, type UserChangeNotes, type UserPatch } from './user-accounts';
import { UserStore, type TokenRow, type UserRow } from './user-store';
import { tokenView, userView } from './user-views';

export type { Verified } from './auth-audit';
export type { PasswordMethod } from './password-check';
export type { NewUser, UserChangeNotes, UserPatch } from './user-accounts';
export { DEFAULT_SESSION_TTL_MS } from './sessions';
export { userView } from './user-views';

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

/**
 * Users, passwords, sessions and API tokens, with the rules of SPEC section 7: never zero active
 * Admins, sessions end when the password changes or the user is disabled, back-off after failed
 * sign-ins, every sign-in audited. Used by the users module's procedures, the HTTP authenticator,
 * the desktop app's sign-in and the `users` CLI command. The work is in the parts it composes:
 * user-accounts.ts (the users), password-check.ts, sessions.ts, api-tokens.ts, auth-audit.ts.
 */
export class UserService {
  readonly store: UserStore;
  readonly throttle: LoginThrottle;
  private readonly clock: Clock;
  private readonly audit: AuthAudit;
  private readonly accounts: UserAccounts;
  private readonly passwords: PasswordCheck;
  private readonly sessions: Sessions;
  private readonly tokens: ApiTokens;
  private readonly changeListeners: Listeners<void>;

  constructor(options: UserServiceOptions) {
    const store = (this.store = new UserStore(options.db));
    const clock = (this.clock = options.clock);
    this.changeListeners = new Listeners(options.logger, 'credentials-changed');
    const scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    const throttle = (this.throttle = new LoginThrottle(options.db, clock, options.throttle ?? DEFAULT_THROTTLE));
    const audit = (this.audit = new AuthAudit(options.audit, options.logger));
    const changed = () => this.credentialsChanged();
    this.accounts = new UserAccounts({ db: options.db, store, clock, throttle, scrypt, changed });
    this.passwords = new PasswordCheck({ store, clock, throttle, audit, log: options.logger, scrypt });
    this.sessions = new Sessions({ store, clock, audit, ttlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, changed });
    this.tokens = new ApiTokens({ store, clock, audit, user: (ref) => this.accounts.get(ref), changed });
  }

  /**
   * Called after a session ends, a token is revoked, or a user is changed or deleted (event
   * streams bound to those credentials are checked again at once).
   */
  onCredentialsChanged(listener: () => void): () => void {
    return this.changeListeners.add(listener);
  }

  private credentialsChanged(): void {
    this.changeListeners.tell();
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
    return this.accounts.find(ref);
  }

  get(ref: string): UserRow {
    return this.accounts.get(ref);
  }

  /** The desktop app runs as the only active user when there is exactly one. */
  onlyActiveUser(): UserRow | undefined {
    const active = this.store.active(2);
    return active.length === 1 ? active[0] : undefined;
  }

  liveSessions(): number {
    return this.store.liveSessions(this.clock.now());
  }

  // Changing users (user-accounts.ts)

  create(input: NewUser): Promise<UserRow> {
    return this.accounts.create(input);
  }

  /** The first Admin, only while no user exists; undefined when a user already exists. */
  createFirstAdmin(username: string, password: string): Promise<UserRow | undefined> {
    return this.accounts.createFirstAdmin(username, password);
  }

  /** Rename, change role, enable/disable, reset password. Refuses to leave no active Admin. */
  update(ref: string, patch: UserPatch): Promise<{ user: UserRow; notes: UserChangeNotes }> {
    return this.accounts.update(ref, patch);
  }

  delete(ref: string): UserRow {
    return this.accounts.delete(ref);
  }

  // Passwords and sign-in (password-check.ts)

  /** A username and password with back-off; every outcome audited (see PasswordCheck.check). */
  checkPassword(username: string, password: string, source: string, method: PasswordMethod): Promise<Verified> {
    return this.passwords.check(username, password, source, method);
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

  // Sessions (sessions.ts)

  openSession(user: UserRow, source: string): SessionIssued {
    return this.sessions.open(user, source);
  }

  endSession(sessionId: string): boolean {
    return this.sessions.end(sessionId);
  }

  sessionExpiry(sessionId: string): string | null {
    return this.sessions.expiry(sessionId);
  }

  /** A bearer secret (session or API token) → its user, or why it is refused (audited). */
  resolveBearer(token: string, source: string, allow: 'any' | 'session' = 'any'): Verified {
    const kind = tokenKind(token);
    if (kind === 'session') return this.sessions.resolve(token, source);
    if (kind === 'api' && allow === 'any') return this.tokens.resolve(token, source);
    return this.audit.refuseBearer(null, source, 'unknown', allow === 'session' ? 'Unknown session; sign in again' : 'Unknown bearer token');
  }

  // API tokens (api-tokens.ts)

  createToken(ref: string, name: string, expiresAt?: string): { row: TokenRow; token: string; user: UserRow } {
    return this.tokens.create(ref, name, expiresAt);
  }

  listTokens(ref: string): TokenView[] {
    return this.tokens.list(ref);
  }

  revokeToken(ref: string, tokenId: string): { row: TokenRow; user: UserRow } {
    return this.tokens.revoke(ref, tokenId);
  }

  tokenView(row: TokenRow): TokenView {
    return tokenView(row);
  }
}
