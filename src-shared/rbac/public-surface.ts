import type { PublicCondition } from '../contract/procedure';

/**
 * Everything that may answer without credentials (SPEC section 7), and why. The contract test,
 * the role × procedure matrix and the OpenAPI walk over real HTTP all check against this list,
 * so a procedure made public by mistake fails the build.
 */
export interface PublicEntry {
  /** An exact path, or a prefix ending in `*`. */
  path: string;
  /** Public only while this condition holds (otherwise the procedure's permission applies). */
  when?: PublicCondition;
  why: string;
}

export const PUBLIC_SURFACE: readonly PublicEntry[] = [
  { path: '/healthz', why: 'liveness probe' },
  { path: '/webhooks/*', why: "each webhook checks its own signature and IP rules" },
  { path: '/metrics*', when: 'public_metrics', why: 'metrics for monitoring, while api.public_metrics is on' },
  { path: '/public/dashboard', when: 'public_metrics', why: 'read-only dashboard, while api.public_metrics is on' },
  { path: '/api/auth/login', why: 'signing in is how credentials are obtained' },
  { path: '/api/auth/logout', why: "ends the caller's own session, if any" },
  { path: '/api/auth/first-run', when: 'no_users', why: 'creating the first Admin, only while no user exists' },
];

function matches(entry: PublicEntry, path: string): boolean {
  return entry.path.endsWith('*') ? path.startsWith(entry.path.slice(0, -1)) : path === entry.path;
}

/** The public-surface entry covering a path (contract paths like `/webhooks/{path}` included). */
export function publicEntryFor(path: string): PublicEntry | undefined {
  return PUBLIC_SURFACE.find((e) => matches(e, path));
}

/**
 * Procedures open to any signed-in user, whatever the role (access `authenticated`). Everything
 * else names a permission of SPEC section 7; a new procedure that claims `authenticated` fails the
 * contract test until it is listed here with a reason.
 */
export const SIGNED_IN_ONLY: Readonly<Record<string, string>> = {
  'auth.me': 'who the caller is',
  'auth.changePassword': "one's own password",
  'system.openapi': 'the API description',
  'system.docs': 'the API documentation page',
};
