import type { TriggerFigure } from '@shared/contract/metrics';
import type { RunFigures } from '../runs';

/**
 * `trigger_metrics`: each watcher's and webhook's figures from its own history (hand-overs,
 * deliveries), with its runs that failed in the window added to the runs it could not queue.
 */
export function triggerFigures(items: readonly TriggerFigure[], runs: RunFigures): TriggerFigure[] {
  return items.map((t) => ({ ...t, failures_24h: t.failures_24h + (runs.failedByTrigger[`${t.kind}:${t.trigger}`] ?? 0) }));
}
