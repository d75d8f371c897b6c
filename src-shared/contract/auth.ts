import { z } from 'zod';
import { ROLES } from '../rbac/roles';
import { defineProcedure, isoTime } from './procedure';
import { meView, password, username } from './users';

/** A new session (`auth.login`, `auth.firstRun`): the token is for the transport to keep. */
export const sessionIssued = z.object({
  token: z.string(),
  expires_at: isoTime,
  user: z.object({ id: z.string(), username: z.string(), role: z.enum(ROLES) }),
});
export type SessionIssued = z.infer<typeof sessionIssued>;

export const authContract = {
  'auth.login': defineProcedure({
    name: 'auth.login',
    summary: 'Sign in with username and password; answers a session token (HTTP also sets the HttpOnly session cookie)',
    access: 'public',
    kind: 'mutation',
    session: 'issue',
    // The password is checked by the handler, so a wrong one is a 401 like any refused credential.
    input: z.strictObject({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) }),
    output: sessionIssued,
    http: { method: 'POST', path: '/api/auth/login' },
  }),
  'auth.logout': defineProcedure({
    name: 'auth.logout',
    summary: "End the caller's session (HTTP also clears the session cookie)",
    access: 'public',
    kind: 'mutation',
    session: 'end',
    input: z.strictObject({}),
    output: z.object({ ok: z.literal(true), ended: z.boolean() }),
    http: { method: 'POST', path: '/api/auth/logout' },
  }),
  'auth.me': defineProcedure({
    name: 'auth.me',
    summary: 'Who the caller is: user, role and permissions',
    access: 'authenticated',
    kind: 'query',
    input: z.strictObject({}),
    output: meView,
    http: { method: 'GET', path: '/api/auth/me' },
  }),
  'auth.changePassword': defineProcedure({
    name: 'auth.changePassword',
    summary: "Change one's own password; every session of the user ends (sign in again)",
    access: 'authenticated',
    kind: 'mutation',
    session: 'end',
    input: z.strictObject({ current_password: z.string().min(1).max(1024), new_password: password }),
    output: z.object({ ok: z.literal(true), sessions_ended: z.number().int() }),
    http: { method: 'POST', path: '/api/auth/password' },
  }),
  'auth.firstRunStatus': defineProcedure({
    name: 'auth.firstRunStatus',
    summary: 'Whether the first Admin still has to be created (public only while no user exists)',
    access: 'manage_users',
    publicWhen: 'no_users',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ required: z.boolean(), suggested_username: z.string().nullable() }),
    http: { method: 'GET', path: '/api/auth/first-run' },
  }),
  'auth.firstRun': defineProcedure({
    name: 'auth.firstRun',
    summary: 'Create the first Admin and sign them in (public only while no user exists; 409 afterwards)',
    access: 'manage_users',
    publicWhen: 'no_users',
    closedAnswer: { code: 'CONFLICT', message: 'Desktop Agent is already set up: sign in, and add users in Users & Roles (POST /api/admin/users)', reason: 'already_set_up' },
    kind: 'mutation',
    session: 'issue',
    input: z.strictObject({ username, password }),
    output: sessionIssued,
    http: { method: 'POST', path: '/api/auth/first-run', status: 201 },
  }),
} as const;
