import type { AgentEvent } from '@shared/contract/events';
import type { EventBus } from '../kernel/event-bus';
import type { Logger } from '../kernel/ports';

/**
 * A log line (component `Queue`) for each step of a run's way through the queue, taken from the
 * bus events the queue publishes anyway: `grep "Queue" logs/desktop-agent.log` (the guide) shows
 * when a run was queued, started, paused, resumed, interrupted and how it ended. Retries are
 * logged where they are decided (run-queue.ts).
 */
export function logQueueEvents(bus: Pick<EventBus, 'subscribe'>, log: Logger): () => void {
  return bus.subscribe((event: AgentEvent) => {
    const d = event.data as { runId?: string; template?: string; queue?: string; priority?: number; attempt?: number; status?: string; error?: string | null; reason?: string };
    const fields = { runId: d.runId, template: d.template, queue: d.queue };
    switch (event.type) {
      case 'run.queued':
        return log.info(`Run ${d.runId} queued on ${d.queue ?? 'its queue'}${d.priority !== undefined ? ` (priority ${d.priority})` : ''}`, fields);
      case 'run.started':
        return log.info(`Run ${d.runId} started${d.attempt && d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}`, fields);
      case 'run.finished':
        if (d.status === 'succeeded') return log.info(`Run ${d.runId} succeeded`, fields);
        return log.warn(`Run ${d.runId} ${d.status ?? 'ended'}${d.error ? `: ${d.error}` : ''}`, { ...fields, status: d.status });
      case 'run.paused':
      case 'run.resumed':
        return log.info(`Run ${d.runId} ${event.type === 'run.paused' ? 'paused' : 'resumed'}`, fields);
      case 'run.interrupted':
        return log.warn(`Run ${d.runId} interrupted (${d.reason}); it continues after restart`, fields);
      default:
        return undefined;
    }
  });
}
