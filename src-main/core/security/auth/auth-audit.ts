import { AppError } from '../../kernel/errors';
import type { Logger } from '../../kernel/ports';
import type { AuditLog } from '../audit/audit-log';
import type { Refusal } from './login-throttle';
import type { SessionRow, TokenRow, UserRow } from './user-store';

/** A credential checked: its user (and session or token), or the refusal to answer with. */
export type Verified =
  | { ok: true; user: UserRow; session?: SessionRow; token?: TokenRow }
  | { ok: false; error: AppError };

/** Usernames as typed by a caller are cut short before they reach a message or the audit log. */
export const clip = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s);

export const rateLimited = (message: string, r: Refusal) => new AppError('RATE_LIMITED', message, { retry_after_s: r.retryAfterS, scope: r.scope });

/**
 * The audit entries of sign-in (passwords, sessions, API tokens). A failed audit write is logged,
 * never thrown: a full disk must not turn a refused sign-in into a crash.
 */
export class AuthAudit {
  constructor(
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {}

  record(action: string, user: string | null, result: 'ok' | 'denied', source: string, details: Record<string, unknown>): void {
    try {
      this.audit.record({ user: user === null ? null : clip(user), action, result, source, details });
    } catch (e) {
      this.log.error('Could not write the audit log', { error: e as Error, action });
    }
  }

  /** A bearer secret (session or API token) refused: audited, and the answer to give. */
  refuseBearer(username: string | null, source: string, reason: string, message: string): Verified {
    this.record('auth.bearer', username, 'denied', source, { reason });
    return { ok: false, error: new AppError('UNAUTHENTICATED', message, { reason }) };
  }
}
