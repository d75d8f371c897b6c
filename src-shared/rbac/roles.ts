/** Roles and the role → permission table of SPEC section 7, as data. Each role includes the ones below it. */

export const ROLES = ['Viewer', 'Runner', 'Editor', 'Admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'read_runs',
  'read_metrics',
  'read_dashboard',
  'create_runs',
  'execute_templates',
  'write_runs',
  'stop_runs',
  'pause_runs',
  'approve_runs',
  'respond_hitl',
  'manage_templates',
  'manage_schedules',
  'delete_runs',
  'manage_users',
  'manage_rbac',
  'manage_secrets',
  'manage_system',
  'view_audit_log',
  'manage_queues',
  'pause_queues',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The lowest role that holds each permission. */
export const PERMISSION_MIN_ROLE: Readonly<Record<Permission, Role>> = {
  read_runs: 'Viewer',
  read_metrics: 'Viewer',
  read_dashboard: 'Viewer',
  create_runs: 'Runner',
  execute_templates: 'Runner',
  write_runs: 'Editor',
  stop_runs: 'Editor',
  pause_runs: 'Editor',
  approve_runs: 'Editor',
  respond_hitl: 'Editor',
  manage_templates: 'Editor',
  manage_schedules: 'Editor',
  delete_runs: 'Editor',
  manage_users: 'Admin',
  manage_rbac: 'Admin',
  manage_secrets: 'Admin',
  manage_system: 'Admin',
  view_audit_log: 'Admin',
  manage_queues: 'Admin',
  pause_queues: 'Admin',
};

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return roleRank(role) >= roleRank(minimum);
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return roleAtLeast(role, PERMISSION_MIN_ROLE[permission]);
}

export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => hasPermission(role, p));
}

/** Roles are written as in the guide (`Admin`); lower case is accepted on input. */
export function parseRole(value: string): Role | undefined {
  const lower = value.trim().toLowerCase();
  return ROLES.find((r) => r.toLowerCase() === lower);
}
