import type { AppError } from './errors';
import { ANONYMOUS, type Principal, type UserPrincipal } from './principal';

/** Whether the credential an event stream was opened with still holds, and until when at most (api/event-streams.ts). */
export interface CredentialCheck {
  holds(): boolean;
  /** Epoch ms (core clock) when the credential expires, if it does. */
  expiresAt?: number;
}

export interface HttpCredentials {
  authorization?: string;
  /** The session cookie the served UI uses (HttpOnly, SameSite=Strict). */
  sessionCookie?: string;
  ip: string;
}

export interface Authentication {
  principal: Principal;
  /** Credentials were presented but refused: why (401), or a back-off (429 with Retry-After). */
  failure?: AppError;
}

/** Turns HTTP credentials into a principal. The users module provides the real one. */
export interface Authenticator {
  authenticate(credentials: HttpCredentials): Promise<Authentication>;
  /** What an event stream opened by this principal stays bound to (see event-streams.ts). */
  credential(principal: UserPrincipal): CredentialCheck;
}

export const SESSION_COOKIE = 'da_session';

/** Before any user exists nobody can authenticate: every protected procedure answers 401. */
export const noUsersAuthenticator: Authenticator = {
  authenticate: async () => ({ principal: ANONYMOUS }),
  credential: () => ({ holds: () => false }),
};
