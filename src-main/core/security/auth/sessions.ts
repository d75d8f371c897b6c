import type { SessionIssued } from '@shared/contract/auth';
import { newId } from '@shared/domain/ids';
import type { Clock } from '../../kernel/ports';
import type { AuthAudit, Verified } from './auth-audit';
import { hashToken, newToken, sameDigest } from './secret-token';
import type { UserRow, UserStore } from './user-store';
import { iso } from './user-views';
import { DAY_MS, HOUR_MS } from '../../kernel/clock';

export const DEFAULT_SESSION_TTL_MS = 12 * HOUR_MS;
/** last_used_at is written at most this often per session or token (not on every request). */
export const TOUCH_EVERY_MS = 60_000;

export interface SessionsPorts {
  store: UserStore;
  clock: Clock;
  audit: AuthAudit;
  ttlMs: number;
  /** A session ended: event streams bound to it are checked again. */
  changed: () => void;
}

/** Sign-in sessions: opened after a password check, found by their bearer secret, ended. */
export class Sessions {
  constructor(private readonly o: SessionsPorts) {}

  open(user: UserRow, source: string): SessionIssued {
    const now = this.o.clock.now();
    const token = newToken('session');
    const expires = now + this.o.ttlMs;
    this.o.store.pruneSessions(now - DAY_MS);
    this.o.store.insertSession({ id: newId('ses', now), user_id: user.id, token_hash: hashToken(token), created_at: now, expires_at: expires, last_used_at: now, source });
    return { token, expires_at: iso(expires), user: { id: user.id, username: user.username, role: user.role } };
  }

  end(sessionId: string): boolean {
    const ended = this.o.store.deleteSession(sessionId) > 0;
    if (ended) this.o.changed();
    return ended;
  }

  expiry(sessionId: string): string | null {
    const s = this.o.store.sessionById(sessionId);
    return s ? iso(s.expires_at) : null;
  }

  /** A session's bearer secret → its user, or why it is refused (audited). */
  resolve(token: string, source: string): Verified {
    const { store, audit } = this.o;
    const hash = hashToken(token);
    const s = store.sessionByHash(hash);
    if (!s || !sameDigest(s.token_hash, hash)) return audit.refuseBearer(null, source, 'unknown_session', 'Unknown or ended session; sign in again');
    const user = store.byId(s.user_id)!;
    const now = this.o.clock.now();
    if (s.expires_at <= now) return audit.refuseBearer(user.username, source, 'session_expired', 'Your session has expired; sign in again');
    if (user.active !== 1) return audit.refuseBearer(user.username, source, 'disabled', `The account '${user.username}' is disabled`);
    if (now - s.last_used_at >= TOUCH_EVERY_MS) store.touchSession(s.id, now);
    return { ok: true, user, session: s };
  }
}
