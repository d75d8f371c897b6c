import type { TokenView, UserView } from '@shared/contract/users';
import type { TokenRow, UserRow } from './user-store';

/** The contract's shapes of stored users and API tokens (times as ISO strings, never a hash). */
export const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

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

export function tokenView(t: TokenRow): TokenView {
  return { id: t.id, name: t.name, created_at: iso(t.created_at), last_used_at: isoOrNull(t.last_used_at), expires_at: isoOrNull(t.expires_at) };
}
