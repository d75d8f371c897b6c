import type { MetricsSnapshot } from '@shared/contract/metrics';
import type { RunFigures } from '../runs';
import { DAY_MS, HOUR_MS } from '../kernel/clock';

type ClusterFigures = Pick<MetricsSnapshot, 'top_failure_clusters_24h' | 'failure_cluster_diversity'>;

/**
 * Where each figure comes from: the module that owns the data computes it from stored rows. The
 * composition root wires these; a source whose feature is not built reads empty, never invented.
 */
export interface MetricsSources {
  runs(now: number): RunFigures;
  queueDepthPeak(now: number): { peak24h: number; hourly: number[] };
  rbac(now: number): Pick<MetricsSnapshot, 'rbac_denied_24h' | 'top_denied_permissions' | 'user_active_sessions'>;
  hitl(now: number): Pick<MetricsSnapshot, 'hitl_interventions_24h' | 'hitl_approved_24h' | 'hitl_denied_24h' | 'hitl_timeouts_24h'>;
  secretsLookups(now: number): number;
  queues(): MetricsSnapshot['queues'];
  clusters?(now: number): ClusterFigures;
  schedules?(now: number, runs: RunFigures): MetricsSnapshot['scheduler_metrics'];
  triggers?(now: number, runs: RunFigures): MetricsSnapshot['trigger_metrics'];
}

export function collectMetrics(sources: MetricsSources, now: number): MetricsSnapshot {
  const runs = sources.runs(now);
  const depth = sources.queueDepthPeak(now);
  const clusters = sources.clusters?.(now) ?? { top_failure_clusters_24h: [], failure_cluster_diversity: 0 };
  const since = now - DAY_MS;
  return {
    generated_at: new Date(now).toISOString(),
    total_runs: runs.total_runs,
    success_rate_24h: runs.success_rate_24h,
    succeeded_24h: runs.succeeded_24h,
    failed_24h: runs.failed_24h,
    cancelled_24h: runs.cancelled_24h,
    median_duration_ms_24h: runs.median_duration_ms_24h,
    p95_duration_ms_24h: runs.p95_duration_ms_24h,
    queue_depth_peak_24h: depth.peak24h,
    runs_per_hour_24h: runs.runs_per_hour_24h,
    retry_rate_24h: runs.retry_rate_24h,
    ...sources.rbac(now),
    ...sources.hitl(now),
    scheduled_runs_24h: runs.scheduled_runs_24h,
    folder_triggers_24h: runs.folder_triggers_24h,
    webhook_triggers_24h: runs.webhook_triggers_24h,
    secrets_lookups_24h: sources.secretsLookups(now),
    ...clusters,
    scheduler_metrics: sources.schedules?.(now, runs) ?? [],
    trigger_metrics: sources.triggers?.(now, runs) ?? [],
    queues: sources.queues(),
    charts: {
      hours: Array.from({ length: 24 }, (_, i) => new Date(since + i * HOUR_MS).toISOString()),
      runs_created: runs.hourly.created,
      runs_succeeded: runs.hourly.succeeded,
      runs_failed: runs.hourly.failed,
      queue_depth_peak: depth.hourly,
    },
  };
}
