import { AppError } from '../../kernel/errors';
import type { Authentication, Authenticator, CredentialCheck, HttpCredentials } from '../../kernel/authenticator';
import { ANONYMOUS, type Principal, type UserPrincipal } from '../../kernel/principal';
import type { UserService, Verified } from './user-service';

function principalOf(v: Extract<Verified, { ok: true }>, via: UserPrincipal['via'], ui?: true): Principal {
  return {
    kind: 'user',
    id: v.user.id,
    username: v.user.username,
    role: v.user.role,
    via,
    ...(v.session ? { sessionId: v.session.id } : {}),
    ...(v.token ? { tokenId: v.token.id } : {}),
    ...(ui ? { ui } : {}),
  };
}

const refused = (v: Extract<Verified, { ok: false }>): Authentication => ({ principal: ANONYMOUS, failure: v.error });

/**
 * HTTP credentials → principal: `Authorization: Basic` (the guide's `curl -u user:pass`),
 * `Authorization: Bearer <session or API token>`, or the served UI's session cookie. The header
 * wins over the cookie. Refused credentials give a failure the dispatcher answers with (401, or
 * 429 during back-off) — never a silent fall-back to anonymous.
 */
export function createHttpAuthenticator(users: UserService): Authenticator {
  return {
    async authenticate(c: HttpCredentials): Promise<Authentication> {
      if (c.authorization) {
        const space = c.authorization.indexOf(' ');
        const scheme = (space < 0 ? c.authorization : c.authorization.slice(0, space)).toLowerCase();
        const value = space < 0 ? '' : c.authorization.slice(space + 1).trim();
        if (scheme === 'basic') {
          const decoded = Buffer.from(value, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon <= 0) return { principal: ANONYMOUS, failure: new AppError('UNAUTHENTICATED', 'Malformed HTTP Basic credentials: expected base64 of user:password') };
          const v = await users.checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1), c.ip, 'basic');
          return v.ok ? { principal: principalOf(v, 'password') } : refused(v);
        }
        if (scheme === 'bearer') {
          const v = users.resolveBearer(value, c.ip);
          return v.ok ? { principal: principalOf(v, v.session ? 'session' : 'token') } : refused(v);
        }
        return { principal: ANONYMOUS, failure: new AppError('UNAUTHENTICATED', `Unsupported Authorization scheme '${scheme}'; use Basic or Bearer`) };
      }
      if (c.sessionCookie) {
        const v = users.resolveBearer(c.sessionCookie, c.ip, 'session');
        // Only the served UI sends the cookie: a person signed in there, not a script.
        return v.ok ? { principal: principalOf(v, 'session', true) } : refused(v);
      }
      return { principal: ANONYMOUS };
    },
    credential: (p) => users.credential(p),
  };
}

/**
 * The desktop app's principal, for the Electron IPC adapter (SPEC section 7). Per IPC call the
 * adapter passes the session token it keeps for the calling window (never given to the renderer):
 * - a window with a session runs as that session's user (expired, ended or disabled → refused);
 * - a window without one runs as the only active user when exactly one exists, so a one-person
 *   installation never sees a login screen;
 * - otherwise it is anonymous: `auth.me` answers 401 and the renderer shows the login screen
 *   (or, while no user exists, `auth.firstRunStatus` says to show the first-run screen).
 * Calls come from `source: 'ipc'`.
 */
export interface AppAuthenticator {
  authenticate(windowSessionToken?: string): Promise<Authentication>;
  /** What a window's event subscription stays bound to. */
  credential(principal: UserPrincipal): CredentialCheck;
}

export function createAppAuthenticator(users: UserService): AppAuthenticator {
  return {
    async authenticate(windowSessionToken) {
      if (windowSessionToken) {
        const v = users.resolveBearer(windowSessionToken, 'ipc', 'session');
        return v.ok ? { principal: principalOf(v, 'ipc') } : refused(v);
      }
      const only = users.onlyActiveUser();
      return only ? { principal: { kind: 'user', id: only.id, username: only.username, role: only.role, via: 'ipc' } } : { principal: ANONYMOUS };
    },
    credential: (p) => users.credential(p),
  };
}
