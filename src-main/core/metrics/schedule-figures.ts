import type { ScheduleView } from '@shared/contract/schedules';
import type { MetricsSnapshot } from '@shared/contract/metrics';
import type { RunFigures } from '../runs';

/**
 * `scheduler_metrics`: each schedule's last and next fire and its fires in 24 h from the
 * scheduler's ledger; failures are its runs that failed in the window plus times the queue refused.
 */
export function scheduleFigures(views: readonly ScheduleView[], runs: RunFigures, _now: number): MetricsSnapshot['scheduler_metrics'] {
  return views.map((s) => ({
    schedule: s.id,
    name: s.name ?? s.id,
    enabled: s.enabled,
    last_fire: s.last?.scheduled_at ?? null,
    next_fire: s.next_fire_at,
    fires_24h: s.fired_24h,
    failures_24h: (runs.failedByTrigger[`schedule:${s.id}`] ?? 0) + s.failed_24h,
    missed_24h: s.missed_24h,
  }));
}
