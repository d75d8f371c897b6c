import type { ComponentType } from 'react';
import type { ViewName } from '../stores/view-specs';
import { AccountView } from './account/account-view';
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

export type { ViewName };

/** Every view by its hash route (`#/runs`). */
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
  account: AccountView,
} satisfies Record<ViewName, ComponentType>;

export const VIEW_NAMES = Object.keys(VIEWS) as ViewName[];
/** The navigation, in order; the account page is reached from the user badge. */
export const NAV_VIEWS = VIEW_NAMES.filter((v): v is Exclude<ViewName, 'account'> => v !== 'account');
export const DEFAULT_VIEW: ViewName = 'dashboard';

export function viewOfHash(hash: string): ViewName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (VIEW_NAMES as string[]).includes(name) ? (name as ViewName) : DEFAULT_VIEW;
}
