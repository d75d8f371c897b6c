import type { ProcedureDef } from '@shared/contract/procedure';

/**
 * What a procedure's answer does to the caller's session (ProcedureDef.session), for the
 * transports: HTTP turns it into the HttpOnly session cookie, the Electron IPC adapter keeps the
 * token for the calling window in main. Neither needs to know which procedures sign in.
 */
export type SessionEffect = { kind: 'issue'; token: string; expiresAt: string } | { kind: 'end' } | undefined;

export function sessionEffect(proc: ProcedureDef, data: unknown): SessionEffect {
  if (proc.session === 'end') return { kind: 'end' };
  if (proc.session === 'issue' && data && typeof data === 'object') {
    const { token, expires_at } = data as { token?: unknown; expires_at?: unknown };
    if (typeof token === 'string' && typeof expires_at === 'string') return { kind: 'issue', token, expiresAt: expires_at };
  }
  return undefined;
}

/** The answer as a renderer may see it: an issued session's token stays with the transport. */
export function withoutSessionToken<T>(proc: ProcedureDef, data: T): T {
  if (proc.session !== 'issue' || !data || typeof data !== 'object') return data;
  const { token: _token, ...rest } = data as Record<string, unknown>;
  return rest as T;
}
