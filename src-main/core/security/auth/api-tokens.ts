import type { TokenView } from '@shared/contract/users';
import { newId } from '@shared/domain/ids';
import { conflict, notFound, validationError } from '../../kernel/errors';
import type { Clock } from '../../kernel/ports';
import type { AuthAudit, Verified } from './auth-audit';
import { hashToken, newToken, sameDigest } from './secret-token';
import { TOUCH_EVERY_MS } from './sessions';
import { isUniqueViolation, type TokenRow, type UserRow, type UserStore } from './user-store';
import { iso, tokenView } from './user-views';

export interface ApiTokensPorts {
  store: UserStore;
  clock: Clock;
  audit: AuthAudit;
  /** The user a reference (id or username) names, or NOT_FOUND. */
  user: (ref: string) => UserRow;
  /** A token was revoked: event streams bound to it are checked again. */
  changed: () => void;
}

/** API tokens of a user: created (the secret shown once), listed, revoked, and checked at use. */
export class ApiTokens {
  constructor(private readonly o: ApiTokensPorts) {}

  create(ref: string, name: string, expiresAt?: string): { row: TokenRow; token: string; user: UserRow } {
    const user = this.o.user(ref);
    const now = this.o.clock.now();
    const expires = expiresAt === undefined ? null : Date.parse(expiresAt);
    if (expires !== null && expires <= now) throw validationError('expires_at is in the past', [{ path: 'expires_at', message: 'must be in the future' }]);
    const token = newToken('api');
    const row: TokenRow = { id: newId('tok', now), user_id: user.id, name, token_hash: hashToken(token), created_at: now, expires_at: expires, last_used_at: null, revoked_at: null };
    try {
      this.o.store.insertToken(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`'${user.username}' already has a token named '${name}'; revoke it or pick another name`, { field: 'name' });
      throw e;
    }
    return { row, token, user };
  }

  list(ref: string): TokenView[] {
    return this.o.store.tokensOf(this.o.user(ref).id).map(tokenView);
  }

  revoke(ref: string, tokenId: string): { row: TokenRow; user: UserRow } {
    const user = this.o.user(ref);
    const row = this.o.store.revokeToken(user.id, tokenId, this.o.clock.now());
    if (!row) throw notFound(`API token '${tokenId}' of '${user.username}'`);
    this.o.changed();
    return { row, user };
  }

  /** An API token's bearer secret → its user, or why it is refused (audited). */
  resolve(token: string, source: string): Verified {
    const { store, audit } = this.o;
    const hash = hashToken(token);
    const t = store.tokenByHash(hash);
    if (!t || !sameDigest(t.token_hash, hash)) return audit.refuseBearer(null, source, 'unknown_token', 'Unknown API token');
    const user = store.byId(t.user_id)!;
    const now = this.o.clock.now();
    if (t.revoked_at !== null) return audit.refuseBearer(user.username, source, 'token_revoked', `The API token '${t.name}' was revoked`);
    if (t.expires_at !== null && t.expires_at <= now) return audit.refuseBearer(user.username, source, 'token_expired', `The API token '${t.name}' expired at ${iso(t.expires_at)}`);
    if (user.active !== 1) return audit.refuseBearer(user.username, source, 'disabled', `The account '${user.username}' is disabled`);
    if (t.last_used_at === null || now - t.last_used_at >= TOUCH_EVERY_MS) store.touchToken(t.id, now);
    return { ok: true, user, token: t };
  }
}
