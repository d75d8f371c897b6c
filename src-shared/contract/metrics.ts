import { z } from 'zod';
import { defineProcedure, empty, isoTime, rawResponse } from './procedure';

/** A failure cluster among the most frequent of the last 24 hours (SPEC section 10/11). */
export const clusterFigure = z.object({
  cluster: z.string(),
  display_name: z.string(),
  count: z.number().int(),
  severity: z.string(),
  /** Occurrences per local day, oldest first: [two days ago, yesterday, today]. */
  trend_3d: z.array(z.number().int()),
});

/** One schedule's figures (SPEC section 11 `scheduler_metrics`). */
export const scheduleFigure = z.object({
  schedule: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  last_fire: isoTime.nullable(),
  next_fire: isoTime.nullable(),
  fires_24h: z.number().int(),
  failures_24h: z.number().int(),
  missed_24h: z.number().int(),
});

/** One folder watcher's or webhook's figures from its stored history (issue 15; next fire is a schedule's only). */
export const triggerFigure = z.object({
  kind: z.enum(['watcher', 'webhook']),
  trigger: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  /** When it last queued a run (a file handed over, a delivery accepted), within the kept history (30 days). */
  last_fire: isoTime.nullable(),
  /** Runs it queued in the last 24 h. */
  fires_24h: z.number().int(),
  /** Its runs that failed in the last 24 h, plus runs it could not queue (a full or closed queue). */
  failures_24h: z.number().int(),
  /** Webhooks: deliveries refused in the last 24 h (signature, IP, size, replay, JSON); null for a watcher. */
  refused_24h: z.number().int().nullable(),
});

export type TriggerFigure = z.infer<typeof triggerFigure>;

export const queueFigure = z.object({ name: z.string(), depth: z.number().int(), running: z.number().int(), paused: z.boolean() });

/**
 * `GET /metrics`: every figure of SPEC section 11, computed from stored data over a rolling window
 * of 24 hours ending now. The definitions are in docs/metrics.md; a figure with nothing to measure
 * is `null` (a rate with no finished run), 0 (a count) or an empty list — never an invented value.
 */
export const metricsSnapshot = z.object({
  generated_at: isoTime,
  /** Every run ever created, including runs since removed by retention or deletion. */
  total_runs: z.number().int(),
  /** succeeded / (succeeded + failed) over runs finished in the window; null when none finished. */
  success_rate_24h: z.number().nullable(),
  succeeded_24h: z.number().int(),
  failed_24h: z.number().int(),
  cancelled_24h: z.number().int(),
  /** Nearest-rank percentiles of finished_at − started_at over runs finished in the window. */
  median_duration_ms_24h: z.number().nullable(),
  p95_duration_ms_24h: z.number().nullable(),
  queue_depth_peak_24h: z.number().int(),
  /** Runs created in the window divided by 24. */
  runs_per_hour_24h: z.number(),
  /** Finished runs that needed more than one attempt / finished runs; null when none finished. */
  retry_rate_24h: z.number().nullable(),
  rbac_denied_24h: z.number().int(),
  top_denied_permissions: z.array(z.object({ permission: z.string(), count: z.number().int() })),
  user_active_sessions: z.number().int(),
  /** Approval requests raised in the window, and the decisions made in it. */
  hitl_interventions_24h: z.number().int(),
  hitl_approved_24h: z.number().int(),
  hitl_denied_24h: z.number().int(),
  hitl_timeouts_24h: z.number().int(),
  /** Runs created in the window by each kind of trigger. */
  scheduled_runs_24h: z.number().int(),
  folder_triggers_24h: z.number().int(),
  webhook_triggers_24h: z.number().int(),
  secrets_lookups_24h: z.number().int(),
  top_failure_clusters_24h: z.array(clusterFigure),
  /** Distinct failure clusters seen in the window. */
  failure_cluster_diversity: z.number().int(),
  scheduler_metrics: z.array(scheduleFigure),
  /** Each folder watcher and webhook: fires, failures and refusals in 24 h, last fire. */
  trigger_metrics: z.array(triggerFigure),
  queues: z.array(queueFigure),
  /** Hourly series for the dashboard's charts, oldest hour first (24 entries). */
  charts: z.object({
    hours: z.array(isoTime),
    runs_created: z.array(z.number().int()),
    runs_succeeded: z.array(z.number().int()),
    runs_failed: z.array(z.number().int()),
    queue_depth_peak: z.array(z.number().int()),
  }),
});
export type MetricsSnapshot = z.infer<typeof metricsSnapshot>;

export const metricsContract = {
  'metrics.get': defineProcedure({
    name: 'metrics.get',
    summary: 'Every figure of SPEC section 11 as JSON (the guide: curl /metrics | jq .success_rate_24h)',
    access: 'read_metrics',
    publicWhen: 'public_metrics',
    kind: 'query',
    input: empty,
    output: metricsSnapshot,
    http: { method: 'GET', path: '/metrics' },
  }),
  'metrics.prometheus': defineProcedure({
    name: 'metrics.prometheus',
    summary: 'The same figures in the Prometheus text exposition format (desktop_agent_*)',
    access: 'read_metrics',
    publicWhen: 'public_metrics',
    kind: 'query',
    input: empty,
    output: rawResponse,
    http: { method: 'GET', path: '/metrics/prometheus', raw: true },
  }),
  'metrics.dashboardPage': defineProcedure({
    name: 'metrics.dashboardPage',
    summary: 'The read-only dashboard page (the app’s Dashboard view without sign-in)',
    access: 'read_metrics',
    publicWhen: 'public_metrics',
    kind: 'query',
    input: empty,
    output: rawResponse,
    http: { method: 'GET', path: '/public/dashboard', raw: true },
  }),
} as const;
