import type { SectionSpec } from './list-store';

/**
 * What each list view reads, by the REST paths of SPEC section 12, and the fixed field names it
 * shows. The procedures behind them arrive with their issues; until then the view says so.
 */
export const VIEW_SECTIONS = {
  runs: [{ key: 'runs', path: '/api/runs', columns: ['id', 'template', 'status', 'queue', 'priority', 'created_at', 'finished_at'], refreshOn: ['run', 'step'] }],
  approvals: [{ key: 'approvals', path: '/api/approvals', columns: ['id', 'run_id', 'status', 'requested_at'], refreshOn: ['approval'] }],
  queues: [{ key: 'queues', path: '/api/queues', columns: ['name', 'depth', 'running', 'paused', 'max_concurrent'], refreshOn: ['queue', 'run'] }],
  triggers: [
    { key: 'schedules', path: '/api/schedules', columns: ['id', 'name', 'cron', 'template', 'enabled', 'next_fire_at'], refreshOn: ['schedule', 'config'] },
    { key: 'watchers', path: '/api/watchers', columns: ['id', 'path', 'template', 'enabled'], refreshOn: ['trigger', 'config'] },
    { key: 'webhooks', path: '/api/webhooks', columns: ['id', 'path', 'template', 'enabled'], refreshOn: ['trigger', 'config'] },
  ],
  templates: [{ key: 'templates', path: '/api/templates', columns: ['name', 'updated_at'], refreshOn: ['template'] }],
  clusters: [{ key: 'clusters', path: '/api/failure-clusters', columns: ['display_name', 'count', 'severity'], refreshOn: ['run'] }],
  users: [{ key: 'users', path: '/api/admin/users', columns: ['username', 'role', 'active'], refreshOn: [] }],
  audit: [{ key: 'audit', path: '/api/admin/audit', columns: ['time', 'user', 'action', 'resource', 'result', 'source'], refreshOn: [] }],
  secrets: [{ key: 'secrets', path: '/api/secrets', columns: ['key', 'service', 'backend', 'updated_at'], refreshOn: [] }],
} as const satisfies Record<string, readonly SectionSpec[]>;

export type ListViewName = keyof typeof VIEW_SECTIONS;
