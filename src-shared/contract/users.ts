import { z } from 'zod';
import { PERMISSIONS, ROLES, parseRole } from '../rbac/roles';
import { defineProcedure, isoTime } from './procedure';

/** Usernames: letters, digits and `. _ @ -` (never `:`, which HTTP Basic cannot carry). */
export const username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'a username is 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit');

/** Passwords: 8 to 1024 characters, taken as given (no trimming). */
export const password = z.string().min(8, 'a password has at least 8 characters').max(1024, 'a password has at most 1024 characters');

/** Roles are written as in the guide (`Admin`); lower case is accepted on input (SPEC section 12). */
export const roleInput = z.preprocess(
  (v) => (typeof v === 'string' ? (parseRole(v) ?? v) : v),
  z.enum(ROLES, { error: 'role must be Admin, Editor, Runner or Viewer' }),
);

/** A user id (`usr_…`) or, for convenience on the command line, the username. */
const userRef = z.string().min(1).max(100);

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  created_at: isoTime,
  updated_at: isoTime,
  last_login_at: isoTime.nullable(),
});
export type UserView = z.infer<typeof userView>;

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  created_at: isoTime,
  last_used_at: isoTime.nullable(),
  expires_at: isoTime.nullable(),
});
export type TokenView = z.infer<typeof tokenView>;

/** What a signed-in caller is (`auth.me`). */
export const meView = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  permissions: z.array(z.enum(PERMISSIONS)),
  /** How this call was authenticated. */
  via: z.enum(['password', 'session', 'token', 'ipc', 'cli']),
  session_expires_at: isoTime.nullable(),
});

export const usersContract = {
  'users.list': defineProcedure({
    name: 'users.list',
    summary: 'Every user with role and state (never passwords)',
    access: 'manage_users',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ items: z.array(userView) }),
    http: { method: 'GET', path: '/api/admin/users' },
  }),
  'users.create': defineProcedure({
    name: 'users.create',
    summary: 'Create a user with a role (Viewer unless given) and a password',
    access: 'manage_users',
    kind: 'mutation',
    input: z.strictObject({
      username,
      password,
      role: roleInput.default('Viewer'),
      active: z.boolean().default(true),
    }),
    output: userView,
    http: { method: 'POST', path: '/api/admin/users', status: 201 },
  }),
  'users.update': defineProcedure({
    name: 'users.update',
    summary: 'Rename, change role, disable/enable or reset the password of a user (never leaving no active Admin)',
    access: 'manage_users',
    kind: 'mutation',
    input: z
      .strictObject({
        id: userRef,
        username: username.optional(),
        password: password.optional(),
        role: roleInput.optional(),
        active: z.boolean().optional(),
      })
      .refine((u) => u.username !== undefined || u.password !== undefined || u.role !== undefined || u.active !== undefined, {
        message: 'give at least one of username, password, role, active',
        path: [],
      }),
    // sessions_ended: how many sessions a new password or disabling ended (absent when none could end).
    output: userView.extend({ sessions_ended: z.number().int().optional() }),
    http: { method: 'PATCH', path: '/api/admin/users/{id}' },
  }),
  'users.delete': defineProcedure({
    name: 'users.delete',
    summary: 'Delete a user with their sessions and API tokens (never the last active Admin)',
    access: 'manage_users',
    kind: 'mutation',
    input: z.strictObject({ id: userRef }),
    output: z.object({ deleted: z.literal(true), id: z.string(), username: z.string() }),
    http: { method: 'DELETE', path: '/api/admin/users/{id}' },
  }),
  'users.createToken': defineProcedure({
    name: 'users.createToken',
    summary: 'Create a named API token; the token is in this answer only and stored hashed',
    access: 'manage_users',
    selfField: 'id',
    kind: 'mutation',
    input: z.strictObject({
      id: userRef,
      name: z.string().trim().min(1, 'name the token (what uses it)').max(100),
      expires_at: isoTime.optional(),
    }),
    output: z.object({ id: z.string(), name: z.string(), token: z.string(), created_at: isoTime, expires_at: isoTime.nullable() }),
    http: { method: 'POST', path: '/api/admin/users/{id}/tokens', status: 201 },
  }),
  'users.listTokens': defineProcedure({
    name: 'users.listTokens',
    summary: "A user's API tokens (names and dates, never the tokens)",
    access: 'manage_users',
    selfField: 'id',
    kind: 'query',
    input: z.strictObject({ id: userRef }),
    output: z.object({ items: z.array(tokenView) }),
    http: { method: 'GET', path: '/api/admin/users/{id}/tokens' },
  }),
  'users.revokeToken': defineProcedure({
    name: 'users.revokeToken',
    summary: 'Revoke an API token; it stops working at once',
    access: 'manage_users',
    selfField: 'id',
    kind: 'mutation',
    input: z.strictObject({ id: userRef, token_id: z.string().min(1).max(100) }),
    output: z.object({ revoked: z.literal(true), id: z.string() }),
    http: { method: 'DELETE', path: '/api/admin/users/{id}/tokens/{token_id}' },
  }),
} as const;
