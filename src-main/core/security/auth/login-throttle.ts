import type { Database } from 'better-sqlite3';
import type { Clock } from '../../kernel/ports';

/**
 * Back-off after failed sign-ins (SPEC section 12: five failed logins for one user within 15
 * minutes → 429 with Retry-After). Failures are kept in SQLite, so a restart does not reset them,
 * and counted over a sliding window:
 * - per user: after `perUser` failures within the window, that username is refused until the
 *   oldest of those failures leaves the window, whatever the password;
 * - per source (an IP address, or `ipc`): after `perSource` failures for any usernames within the
 *   window, password sign-ins from that source are refused the same way (password spraying).
 * While refused, no password is checked, so a refusal costs no hashing and adds no failure.
 */
export interface ThrottlePolicy {
  windowMs: number;
  perUser: number;
  perSource: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { windowMs: 15 * 60_000, perUser: 5, perSource: 20 };

export interface Refusal {
  scope: 'user' | 'source';
  /** Whole seconds until a new attempt is accepted (at least 1). */
  retryAfterS: number;
}

export class LoginThrottle {
  private readonly nthUser;
  private readonly nthSource;
  private readonly insert;
  private readonly prune;
  private readonly clearUser;

  constructor(
    db: Database,
    private readonly clock: Clock,
    readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
  ) {
    // The n-th most recent failure inside the window: while it exists, the limit is reached.
    this.nthUser = db.prepare('select time from login_failures where username = ? and time > ? order by time desc limit 1 offset ?').pluck();
    this.nthSource = db.prepare('select time from login_failures where source = ? and time > ? order by time desc limit 1 offset ?').pluck();
    this.insert = db.prepare('insert into login_failures(time, username, source) values (?, ?, ?)');
    this.prune = db.prepare('delete from login_failures where time <= ?');
    this.clearUser = db.prepare('delete from login_failures where username = ?');
  }

  /** Undefined when an attempt may be made now, else why not and for how long. */
  check(username: string, source: string): Refusal | undefined {
    const now = this.clock.now();
    const since = now - this.policy.windowMs;
    const wait = (t: number | undefined) => (t === undefined ? undefined : Math.max(1, Math.ceil((t + this.policy.windowMs - now) / 1000)));
    const user = wait(this.nthUser.get(username, since, this.policy.perUser - 1) as number | undefined);
    if (user !== undefined) return { scope: 'user', retryAfterS: user };
    const src = wait(this.nthSource.get(source, since, this.policy.perSource - 1) as number | undefined);
    if (src !== undefined) return { scope: 'source', retryAfterS: src };
    return undefined;
  }

  failed(username: string, source: string): void {
    const now = this.clock.now();
    this.prune.run(now - this.policy.windowMs);
    this.insert.run(now, username, source);
  }

  /** A good sign-in (or an Admin's password reset) clears that user's failures; the source's stay. */
  reset(username: string): void {
    this.clearUser.run(username);
  }
}
