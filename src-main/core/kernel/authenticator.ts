import type { AppError } from './errors';
import { ANONYMOUS, type Principal } from './principal';

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
}

export const SESSION_COOKIE = 'da_session';

/** Before any user exists nobody can authenticate: every protected procedure answers 401. */
export const noUsersAuthenticator: Authenticator = {
  authenticate: async () => ({ principal: ANONYMOUS }),
};
