import type { Database } from 'better-sqlite3';
import { DAY_MS } from '../../kernel/clock';

/**
 * RBAC counters over stored data (SPEC section 11; the metrics endpoint reads these).
 * - `rbac_denied_24h`: refused permission checks in the last 24 hours — the dispatcher's denied
 *   decisions on permission-protected procedures, unauthenticated (401) and forbidden (403) alike.
 *   Failed sign-ins are not permission checks; they are audited as `auth.login`/`auth.basic`.
 * - `top_denied_permissions`: the same denials grouped by permission, most frequent first.
 * - `user_active_sessions`: unexpired sessions of active users.
 */
export interface RbacMetrics {
  rbac_denied_24h: number;
  top_denied_permissions: { permission: string; count: number }[];
  user_active_sessions: number;
}


export function rbacMetrics(db: Database, now: number, top = 5): RbacMetrics {
  const since = now - DAY_MS;
  const denied = db.prepare("select count(*) from audit_log where result = 'denied' and permission is not null and time >= ?").pluck().get(since) as number;
  const topDenied = db
    .prepare("select permission, count(*) as count from audit_log where result = 'denied' and permission is not null and time >= ? group by permission order by count desc, permission limit ?")
    .all(since, top) as { permission: string; count: number }[];
  const sessions = db.prepare('select count(*) from sessions s join users u on u.id = s.user_id where s.expires_at > ? and u.active = 1').pluck().get(now) as number;
  return { rbac_denied_24h: denied, top_denied_permissions: topDenied, user_active_sessions: sessions };
}
