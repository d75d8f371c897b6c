import { hasPermission, parseRole, roleAtLeast, type Role } from '../rbac/roles';

/** The facts of an approval request that decide who may answer it. */
export interface ApprovalFacts {
  status: string;
  required_role: string;
  requested_by: string | null;
  expires_at: string;
}

/** Who is looking: a signed-in user's name and role (undefined: nobody is signed in). */
export interface ApprovalViewer {
  username: string;
  role: Role;
}

/**
 * Why a viewer cannot decide a request, or undefined when they can. One rule for the core's
 * decision (approvals.decide), the tray's badge and notifications, and the renderer's buttons:
 * a decided or expired request, no respond_hitl, a role below `required_role` (an unknown role
 * counts as the highest), or the viewer's own run while `hitl.self_approval` is false.
 */
export type ApprovalBlock =
  | { kind: 'decided' }
  | { kind: 'expired' }
  | { kind: 'signed_out' }
  | { kind: 'permission' }
  | { kind: 'role'; required: Role }
  | { kind: 'self_approval' };

export function approvalBlock(a: ApprovalFacts, viewer: ApprovalViewer | undefined, o: { selfApproval: boolean; now: number }): ApprovalBlock | undefined {
  if (a.status !== 'pending') return { kind: 'decided' };
  if (!viewer) return { kind: 'signed_out' };
  if (!hasPermission(viewer.role, 'respond_hitl')) return { kind: 'permission' };
  const required = parseRole(a.required_role) ?? 'Admin';
  if (!roleAtLeast(viewer.role, required)) return { kind: 'role', required };
  if (!o.selfApproval && a.requested_by === viewer.username) return { kind: 'self_approval' };
  if (Date.parse(a.expires_at) <= o.now) return { kind: 'expired' };
  return undefined;
}
