import type { ComponentType } from 'react';
import { ApprovalsView } from './approvals/approvals-view';
import { AuditView } from './audit/audit-view';
import { ClustersView } from './clusters/clusters-view';
import { DashboardView } from './dashboard/dashboard-view';
import { QueuesView } from './queues/queues-view';
import { RunsView } from './runs/runs-view';
import { SecretsView } from './secrets/secrets-view';
import { TemplatesView } from './templates/templates-view';
import { TriggersView } from './triggers/triggers-view';
import { UsersView } from './users/users-view';

/** The views in navigation order; the key is the hash route (`#/runs`) and the nav text key. */
export const VIEWS = {
  dashboard: DashboardView,
  runs: RunsView,
  approvals: ApprovalsView,
  queues: QueuesView,
  triggers: TriggersView,
  templates: TemplatesView,
  clusters: ClustersView,
  users: UsersView,
  audit: AuditView,
  secrets: SecretsView,
} satisfies Record<string, ComponentType>;

export type ViewName = keyof typeof VIEWS;
export const VIEW_NAMES = Object.keys(VIEWS) as ViewName[];
export const DEFAULT_VIEW: ViewName = 'dashboard';

export function viewOfHash(hash: string): ViewName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (VIEW_NAMES as string[]).includes(name) ? (name as ViewName) : DEFAULT_VIEW;
}
