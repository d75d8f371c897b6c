import type { Role } from '../src-shared/rbac/roles';
import type { Core } from '../src-main/core/app/create-core';
import type { CallContext } from '../src-main/core/kernel/principal';
import type { UserRow } from '../src-main/core/security/auth/user-store';

/** Real scrypt at a test cost (1 MiB), so suites that create many users stay fast. Stored with each hash. */
export const FAST_SCRYPT = { ln: 10, r: 8, p: 1 };

export const passwordOf = (username: string) => `${username}-Pa55word`;

/** A user created through the service, with the password `passwordOf(username)`. */
export function addUser(core: Core, username: string, role: Role, options: { active?: boolean; password?: string } = {}): Promise<UserRow> {
  return core.users.service.create({ username, password: options.password ?? passwordOf(username), role, active: options.active ?? true });
}

/** The call context the HTTP adapter would build for these headers (the real authenticator). */
export async function httpContext(core: Core, headers: { authorization?: string; cookie?: string }, ip = '127.0.0.1'): Promise<CallContext> {
  const auth = await core.authenticator.authenticate({ authorization: headers.authorization, sessionCookie: headers.cookie, ip });
  return { principal: auth.principal, authFailure: auth.failure, source: ip };
}

export const basic = (username: string, password = passwordOf(username)) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
export const bearer = (token: string) => `Bearer ${token}`;

/** Calls a procedure and returns the envelope (never throws), for asserting refusals. */
export function call(core: Core, name: string, input: unknown, ctx: CallContext) {
  return core.dispatcher.dispatch(name, input, ctx);
}
