import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricsSnapshot } from '@shared/contract/metrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type ScalarKey = {
  [K in keyof MetricsSnapshot]: MetricsSnapshot[K] extends number | null ? K : never;
}[keyof MetricsSnapshot];

/** The scalar figures and their HELP text; each becomes the gauge `desktop_agent_<key>`. */
const GAUGES: Partial<Record<ScalarKey, string>> = {
  success_rate_24h: 'Succeeded / (succeeded + failed) over runs finished in the last 24 h (NaN when none finished)',
  succeeded_24h: 'Runs that succeeded in the last 24 h',
  failed_24h: 'Runs that failed in the last 24 h',
  cancelled_24h: 'Runs cancelled in the last 24 h',
  median_duration_ms_24h: 'Median (nearest rank) of finished_at - started_at over runs finished in the last 24 h, in ms',
  p95_duration_ms_24h: '95th percentile (nearest rank) of finished_at - started_at over runs finished in the last 24 h, in ms',
  queue_depth_peak_24h: 'Highest total queue depth (queued + retry_wait) in the last 24 h',
  runs_per_hour_24h: 'Runs created in the last 24 h divided by 24',
  retry_rate_24h: 'Share of runs finished in the last 24 h that needed more than one attempt (NaN when none finished)',
  rbac_denied_24h: 'Permission checks refused in the last 24 h',
  user_active_sessions: 'Unexpired sessions of active users',
  hitl_interventions_24h: 'Approval requests raised in the last 24 h',
  hitl_approved_24h: 'Approvals granted in the last 24 h',
  hitl_denied_24h: 'Approvals denied in the last 24 h',
  hitl_timeouts_24h: 'Approvals that timed out in the last 24 h',
  scheduled_runs_24h: 'Runs started by a schedule in the last 24 h',
  folder_triggers_24h: 'Runs started by a folder watcher in the last 24 h',
  webhook_triggers_24h: 'Runs started by a webhook in the last 24 h',
  secrets_lookups_24h: 'Secret lookups in the last 24 h',
  failure_cluster_diversity: 'Distinct failure clusters seen in the last 24 h',
};

const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : NaN);

/**
 * The snapshot in the Prometheus text exposition format, written by prom-client (HELP and TYPE on
 * every family). A fresh registry per scrape: the figures are read from the database each time,
 * so nothing is kept between scrapes and a label that disappears (a deleted queue) is not repeated.
 */
export async function toPrometheus(m: MetricsSnapshot): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  new Counter({ name: 'desktop_agent_total_runs', help: 'Every run ever created', registers }).inc(m.total_runs);
  for (const [key, help] of Object.entries(GAUGES) as [ScalarKey, string][]) {
    new Gauge({ name: `desktop_agent_${key}`, help, registers }).set(m[key] ?? NaN);
  }
  const queue = (name: string, help: string) => new Gauge({ name: `desktop_agent_queue_${name}`, help, labelNames: ['queue'], registers });
  const depth = queue('depth', 'Runs waiting in the queue (queued + retry_wait)');
  const running = queue('running', 'Runs running from the queue');
  const paused = queue('paused', '1 when the queue is paused');
  for (const q of m.queues) {
    depth.set({ queue: q.name }, q.depth);
    running.set({ queue: q.name }, q.running);
    paused.set({ queue: q.name }, q.paused ? 1 : 0);
  }
  const denied = new Gauge({ name: 'desktop_agent_rbac_denied_by_permission_24h', help: 'Refused permission checks in the last 24 h, by permission (the most frequent)', labelNames: ['permission'], registers });
  for (const d of m.top_denied_permissions) denied.set({ permission: d.permission }, d.count);
  const cluster = new Gauge({
    name: 'desktop_agent_failure_cluster_count_24h',
    help: 'Failures in the last 24 h of each of the top failure clusters',
    labelNames: ['cluster', 'display_name', 'severity'],
    registers,
  });
  for (const c of m.top_failure_clusters_24h) cluster.set({ cluster: c.cluster, display_name: c.display_name, severity: c.severity }, c.count);
  const schedule = (name: string, help: string) => new Gauge({ name: `desktop_agent_schedule_${name}`, help, labelNames: ['schedule'], registers });
  const fires = schedule('fires_24h', 'Times the schedule fired in the last 24 h');
  const failures = schedule('failures_24h', 'Runs started by the schedule that failed in the last 24 h');
  const missed = schedule('missed_24h', 'Scheduled times missed in the last 24 h');
  const last = schedule('last_fire_timestamp_seconds', 'When the schedule last fired (Unix seconds)');
  const next = schedule('next_fire_timestamp_seconds', 'When the schedule fires next (Unix seconds; NaN when disabled)');
  for (const s of m.scheduler_metrics) {
    const l = { schedule: s.schedule };
    fires.set(l, s.fires_24h);
    failures.set(l, s.failures_24h);
    missed.set(l, s.missed_24h);
    last.set(l, seconds(s.last_fire));
    next.set(l, seconds(s.next_fire));
  }
  const trigger = (name: string, help: string) => new Gauge({ name: `desktop_agent_trigger_${name}`, help, labelNames: ['kind', 'trigger'], registers });
  const tFires = trigger('fires_24h', 'Runs the folder watcher or webhook queued in the last 24 h');
  const tFailures = trigger('failures_24h', 'Its runs that failed in the last 24 h plus runs it could not queue');
  const tRefused = trigger('refused_24h', 'Webhook deliveries refused in the last 24 h (signature, IP, size, replay, JSON)');
  const tLast = trigger('last_fire_timestamp_seconds', 'When it last queued a run (Unix seconds; NaN when never)');
  for (const t of m.trigger_metrics) {
    const l = { kind: t.kind, trigger: t.trigger };
    tFires.set(l, t.fires_24h);
    tFailures.set(l, t.failures_24h);
    if (t.refused_24h !== null) tRefused.set(l, t.refused_24h);
    tLast.set(l, seconds(t.last_fire));
  }
  return registry.metrics();
}
