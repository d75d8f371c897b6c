import { z } from 'zod';
import { defineProcedure } from './procedure';

/** Where a cluster's name and actions come from: a built-in rule, failure_rules.yaml, or mining. */
export const CLUSTER_SOURCES = ['builtin', 'custom', 'mined'] as const;

export const clusterView = z.object({
  id: z.string(),
  display_name: z.string(),
  source: z.enum(CLUSTER_SOURCES),
  severity: z.string(),
  recommended_actions: z.array(z.string()),
  /** Occurrences in the asked window (`days`), and ever. */
  count: z.number().int(),
  total_count: z.number().int(),
  /** Distinct runs, run templates, message templates and steps (template + step index) in the window. */
  runs: z.number().int(),
  templates: z.number().int(),
  message_templates: z.number().int(),
  steps: z.number().int(),
  first_seen: z.string(),
  last_seen: z.string(),
  /** Occurrences per local day: [the day before yesterday, yesterday, today]. */
  trend_3d: z.array(z.number().int()),
  /** Up to 3 recent distinct messages, as recorded (secrets masked). */
  samples: z.array(z.string()),
  resolved: z.boolean(),
  resolved_at: z.string().nullable(),
  resolved_by: z.string().nullable(),
});
export type ClusterView = z.infer<typeof clusterView>;

export const clusterOccurrence = z.object({
  run_id: z.string(),
  template: z.string().nullable(),
  step: z.number().int().nullable(),
  action: z.string().nullable(),
  message: z.string(),
  message_template: z.string(),
  error_code: z.string().nullable(),
  at: z.string(),
});

export const clusterDetail = clusterView.extend({
  occurrences: z.array(clusterOccurrence),
  /** Message templates and run templates of the window, most frequent first. */
  message_template_counts: z.array(z.object({ template: z.string(), count: z.number().int() })),
  template_counts: z.array(z.object({ template: z.string(), count: z.number().int() })),
});
export type ClusterDetail = z.infer<typeof clusterDetail>;

const days = z.coerce.number().int().min(1).max(365).default(7);
const clusterId = z.string().min(1).max(100);

export const clustersContract = {
  'clusters.list': defineProcedure({
    name: 'clusters.list',
    summary: 'Failure clusters seen in the last `days` days (or of one run), most occurrences first',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ days, run_id: z.string().min(1).max(100).optional(), include_resolved: z.enum(['true', 'false']).default('true') }),
    output: z.object({ items: z.array(clusterView) }),
    http: { method: 'GET', path: '/api/failure-clusters' },
  }),
  'clusters.get': defineProcedure({
    name: 'clusters.get',
    summary: 'One failure cluster with its recent occurrences, linked to their runs',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id: clusterId, days }),
    output: clusterDetail,
    http: { method: 'GET', path: '/api/failure-clusters/{id}' },
  }),
  'clusters.resolve': defineProcedure({
    name: 'clusters.resolve',
    summary: 'Mark a cluster resolved; its next occurrence reopens it',
    access: 'write_runs',
    kind: 'mutation',
    input: z.strictObject({ id: clusterId }),
    output: clusterView,
    http: { method: 'POST', path: '/api/failure-clusters/{id}/resolve' },
  }),
} as const;
