import { CONTRACT } from '@shared/contract';
import type { Permission } from '@shared/rbac/roles';
import type { AgentClient } from '@shared/client/agent-client';
import type { SectionSpec } from './list-store';

/**
 * What each list view reads, by the REST paths of SPEC section 12, and the fixed field names it
 * shows. The procedures behind them arrive with their issues; until then the view says so.
 */
export const VIEW_SECTIONS = {
  triggers: [
    { key: 'schedules', path: '/api/schedules', columns: ['id', 'name', 'cron', 'template', 'enabled', 'next_fire_at'], refreshOn: ['schedule', 'config'] },
    { key: 'watchers', path: '/api/watchers', columns: ['id', 'path', 'template', 'enabled'], refreshOn: ['watcher', 'config'] },
    { key: 'webhooks', path: '/api/webhooks', columns: ['id', 'path', 'template', 'enabled'], refreshOn: ['webhook', 'config'] },
  ],
} as const satisfies Record<string, readonly SectionSpec[]>;

export type ListViewName = keyof typeof VIEW_SECTIONS;

/**
 * The GET paths of SPEC section 12 each view reads. The navigation derives from them what a role
 * may open (the procedure's declared permission), so it hides exactly what the server would refuse.
 */
export const VIEW_READS = {
  dashboard: ['/api/system/status'],
  // Runs, Queues, Approvals and Templates have stores of their own (runs-store.ts, queues-store.ts, …).
  runs: ['/api/runs'],
  approvals: ['/api/approvals'],
  queues: ['/api/queues'],
  templates: ['/api/templates'],
  ...(Object.fromEntries(Object.entries(VIEW_SECTIONS).map(([view, specs]) => [view, specs.map((s) => s.path)])) as Record<ListViewName, string[]>),
  clusters: ['/api/failure-clusters'],
  users: ['/api/admin/users'],
  audit: ['/api/admin/audit'],
  secrets: ['/api/secrets'],
  // The signed-in user's own page (password, own API tokens): any signed-in user.
  account: ['/api/auth/me'],
} satisfies Record<string, readonly string[]>;

export type ViewName = keyof typeof VIEW_READS;

/**
 * Whether a signed-in user with these permissions may open a view: some procedure it reads
 * allows them, or this version lacks one of them (the view then says "not available").
 */
export function viewAllowed(view: ViewName, client: Pick<AgentClient, 'find'>, permissions: readonly Permission[]): boolean {
  return VIEW_READS[view].some((path) => {
    const name = client.find('GET', path);
    if (!name) return true;
    const access = CONTRACT[name].access;
    return access === 'public' || access === 'authenticated' || permissions.includes(access);
  });
}
