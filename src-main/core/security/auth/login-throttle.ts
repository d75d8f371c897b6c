import { isIP } from 'node:net';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../kernel/ports';

/**
 * Back-off after failed sign-ins (SPEC section 12: five failed logins for one user within 15
 * minutes → 429 with Retry-After). Failures are kept in SQLite, so a restart does not reset them,
 * and counted over a sliding window:
 * - per user: after `perUser` failures within the window, that username is refused until the
 *   oldest of those failures leaves the window, whatever the password (no password is checked);
 * - per source: after `perSource` failures for any usernames within the window, further wrong
 *   passwords from that source answer 429 instead of 401 (password spraying is told to stop) —
 *   but a right password still signs in: on a loopback server every local client is the same
 *   source, and failures under other names must not lock the admin out (issue 21 item 4).
 * Every loopback address (127.0.0.0/8, ::1, IPv4-mapped) counts as one source, `loopback`, so
 * binding to 127.0.1.N does not escape the count.
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

  /** Undefined when this username may try a password now, else for how long not. */
  forUser(username: string): Refusal | undefined {
    const after = this.waitAfter(this.nthUser.get(username, this.clock.now() - this.policy.windowMs, this.policy.perUser - 1) as number | undefined);
    return after === undefined ? undefined : { scope: 'user', retryAfterS: after };
  }

  /** Undefined while the source is under its failure limit, else how long until it is again. */
  forSource(source: string): Refusal | undefined {
    const after = this.waitAfter(this.nthSource.get(throttleSource(source), this.clock.now() - this.policy.windowMs, this.policy.perSource - 1) as number | undefined);
    return after === undefined ? undefined : { scope: 'source', retryAfterS: after };
  }

  failed(username: string, source: string): void {
    const now = this.clock.now();
    this.prune.run(now - this.policy.windowMs);
    this.insert.run(now, username, throttleSource(source));
  }

  private waitAfter(oldest: number | undefined): number | undefined {
    return oldest === undefined ? undefined : Math.max(1, Math.ceil((oldest + this.policy.windowMs - this.clock.now()) / 1000));
  }

  /** A good sign-in (or an Admin's password reset) clears that user's failures; the source's stay. */
  reset(username: string): void {
    this.clearUser.run(username);
  }
}

/** The source failures are counted for: every loopback address is this computer, one source. */
export function throttleSource(source: string): string {
  const s = source.toLowerCase().replace(/^::ffff:/, '');
  if (s === '::1' || (isIP(s) === 4 && s.startsWith('127.'))) return 'loopback';
  return s;
}
