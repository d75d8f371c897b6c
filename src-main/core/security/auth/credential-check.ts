import type { CredentialCheck } from '../../kernel/authenticator';
import type { UserPrincipal } from '../../kernel/principal';
import type { Clock } from '../../kernel/ports';
import type { UserStore } from './user-store';

/**
 * What an event stream opened by `p` stays bound to: the user still exists, is active and has the
 * same role, and the credential itself still holds — the session is not ended or expired, the API
 * token not revoked or expired, the password of a Basic caller not changed, and for the desktop
 * app's implicit user (no session), that user is still the only active one. Read from the
 * database on each check, so a change written by another process counts too.
 */
export function credentialCheck(store: UserStore, clock: Clock, p: UserPrincipal): CredentialCheck {
  // The hash, not its time: a reset within the same millisecond (or clock tick) still counts.
  const passwordHash = store.byId(p.id)?.password_hash;
  const expiresAt = p.sessionId !== undefined ? store.sessionById(p.sessionId)?.expires_at : p.tokenId !== undefined ? (store.tokenById(p.tokenId)?.expires_at ?? undefined) : undefined;
  return {
    expiresAt,
    holds() {
      const u = store.byId(p.id);
      if (!u || u.active !== 1 || u.role !== p.role) return false;
      const now = clock.now();
      if (p.sessionId !== undefined) {
        const s = store.sessionById(p.sessionId);
        return s !== undefined && s.user_id === u.id && s.expires_at > now;
      }
      if (p.tokenId !== undefined) {
        const t = store.tokenById(p.tokenId);
        return t !== undefined && t.user_id === u.id && t.revoked_at === null && (t.expires_at === null || t.expires_at > now);
      }
      if (p.via === 'password') return u.password_hash === passwordHash;
      if (p.via === 'ipc') {
        const active = store.active(2);
        return active.length === 1 && active[0]!.id === u.id;
      }
      return true;
    },
  };
}
