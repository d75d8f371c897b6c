import { createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../../kernel/errors';
import type { Clock, Logger } from '../../kernel/ports';
import { clip, rateLimited, type AuthAudit, type Verified } from './auth-audit';
import { throttleSource, type LoginThrottle } from './login-throttle';
import { dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password';
import type { UserRow, UserStore } from './user-store';

/** How a password reached us: the login procedure (HTTP or the app's login screen) or an HTTP Basic header. */
export type PasswordMethod = 'login' | 'basic';

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

export interface PasswordCheckPorts {
  store: UserStore;
  clock: Clock;
  throttle: LoginThrottle;
  audit: AuthAudit;
  log: Logger;
  scrypt: ScryptParams;
}

/** Username and password → the user, with back-off, a cap on checks in flight and the Basic cache. */
export class PasswordCheck {
  /** HMAC(process key, username + password) → the hash it was checked against, until when. */
  private readonly basicCache = new Map<string, { userId: string; hash: string; until: number }>();
  private readonly cacheKey = randomBytes(32);
  private readonly checking = new Map<string, number>();

  constructor(private readonly o: PasswordCheckPorts) {}

  /**
   * Checks a username and password with back-off: refused at once (429) while the user or the
   * source is over its failure limit, else one scrypt check (also for unknown usernames, so
   * timing does not tell which exist). Every outcome is audited, except HTTP Basic successes
   * answered from the short cache of recent checks.
   */
  async check(username: string, password: string, source: string, method: PasswordMethod): Promise<Verified> {
    const { store, throttle, audit } = this.o;
    const action = method === 'basic' ? 'auth.basic' : 'auth.login';
    const refusal = throttle.forUser(username);
    if (refusal) {
      audit.record(action, username, 'denied', source, { reason: 'backoff', scope: refusal.scope, retry_after_s: refusal.retryAfterS });
      return { ok: false, error: rateLimited(`Too many failed sign-ins for '${clip(username)}'; try again in ${refusal.retryAfterS} s`, refusal) };
    }
    // Read before the check: a source over its limit is told so on a wrong password, never on a right one.
    const sourceOver = throttle.forSource(source);
    const user = store.byUsername(username);
    const cacheKey = method === 'basic' ? createHmac('sha256', this.cacheKey).update(`${username.toLowerCase()}\0${password}`).digest('hex') : undefined;
    const cached = cacheKey ? this.basicCache.get(cacheKey) : undefined;
    const now = this.o.clock.now();
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
        audit.record(action, username, 'denied', source, { reason: 'busy' });
        const who = user ? `for '${clip(username)}'` : 'from this address';
        return { ok: false, error: new AppError('RATE_LIMITED', `Too many sign-ins in progress ${who}; try again in 1 s`, { retry_after_s: 1, scope: user ? 'user' : 'source' }) };
      }
      this.checking.set(slot, running + 1);
      try {
        good = await verifyPassword(password, user?.password_hash ?? (await dummyHash(this.o.scrypt)));
      } finally {
        const left = (this.checking.get(slot) ?? 1) - 1;
        if (left > 0) this.checking.set(slot, left);
        else this.checking.delete(slot);
      }
      good &&= user !== undefined;
    }
    if (!good || !user) {
      throttle.failed(username, source);
      if (sourceOver) {
        audit.record(action, username, 'denied', source, { reason: 'backoff', scope: 'source', retry_after_s: sourceOver.retryAfterS });
        return { ok: false, error: rateLimited(`Too many failed sign-ins from this address; try again in ${sourceOver.retryAfterS} s`, sourceOver) };
      }
      audit.record(action, username, 'denied', source, { reason: 'bad_credentials' });
      return { ok: false, error: new AppError('UNAUTHENTICATED', 'Invalid username or password', { reason: 'bad_credentials' }) };
    }
    // Right password from here on.
    if (user.active !== 1) {
      audit.record(action, user.username, 'denied', source, { reason: 'disabled' });
      return { ok: false, error: new AppError('UNAUTHENTICATED', `The account '${user.username}' is disabled`, { reason: 'disabled' }) };
    }
    if (fromCache) return { ok: true, user };
    throttle.reset(username);
    if (cacheKey) this.remember(cacheKey, { userId: user.id, hash: user.password_hash, until: now + BASIC_CACHE_MS });
    if (needsRehash(user.password_hash, this.o.scrypt)) await this.rehash(user, password);
    store.update(user.id, { last_login_at: now });
    audit.record(action, user.username, 'ok', source, { method });
    return { ok: true, user: store.byId(user.id)! };
  }

  private remember(key: string, entry: { userId: string; hash: string; until: number }): void {
    if (this.basicCache.size >= BASIC_CACHE_MAX) this.basicCache.delete(this.basicCache.keys().next().value!);
    this.basicCache.set(key, entry);
  }

  /** The cost parameters were raised since this hash was made: store a new hash of the same password. */
  private async rehash(user: UserRow, password: string): Promise<void> {
    const hash = await hashPassword(password, this.o.scrypt);
    this.o.store.update(user.id, { password_hash: hash });
    this.o.log.info('Re-hashed a password with the current scrypt parameters', { user: user.username });
  }
}
