import type { Role } from '@shared/rbac/roles';
import type { AppError } from './errors';

/** Who is calling. The HTTP adapter authenticates; the IPC adapter attaches the app's signed-in user. */
export type Principal = UserPrincipal | { kind: 'anonymous' };

/** A signed-in user and the credential that made them one (an event stream stays bound to it). */
export interface UserPrincipal {
  kind: 'user';
  id: string;
  username: string;
  role: Role;
  via: 'password' | 'session' | 'token' | 'ipc' | 'cli';
  sessionId?: string;
  tokenId?: string;
  /** A person in the served UI (its session cookie), as opposed to a script sending credentials. */
  ui?: true;
}

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export interface CallContext {
  principal: Principal;
  /** An IP address, `ipc` or `cli`. */
  source: string;
  /** Set when credentials were presented but refused (bad password, expired session, back-off). */
  authFailure?: AppError;
  signal?: AbortSignal;
  /** Set by the dispatcher for one call: a handler adds details (what changed) to the call's audit entry. */
  noteAudit?: (details: Record<string, unknown>) => void;
}

export function principalName(p: Principal): string | null {
  return p.kind === 'user' ? p.username : null;
}
