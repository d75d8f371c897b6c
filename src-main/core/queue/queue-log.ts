import type { EventBus } from '../kernel/event-bus';
import type { Logger } from '../kernel/ports';

/**
 * Log lines (component `Queue`) for a run's way through the queue, taken from the bus events the
 * queue publishes anyway: `grep "Queue" logs/desktop-agent.log` (the guide) shows how each run
 * ended (a line per failure, with its error), a retried attempt starting, pauses, resumes and
 * interruptions. Retries are logged where they are decided (attempt-end.ts).
 *
 * At `info` a run that goes well writes one line, when it ends: its queueing and its first start
 * are `debug` lines (issue 18: four lines per processed run, where a BullMQ job writes one, were
 * a measurable part of a short run; the run's own record has both times). Decision 0041.
 */
export function logQueueEvents(bus: Pick<EventBus, 'subscribe'>, log: Logger): () => void {
  const fields = (d: { runId: string; template?: string; queue?: string }) => ({ runId: d.runId, template: d.template, queue: d.queue });
  // AgentEvent is a union discriminated by `type`: each case reads its own payload, typed.
  return bus.subscribe((event) => {
    switch (event.type) {
      case 'run.queued': {
        const d = event.data;
        return log.debug(`Run ${d.runId} queued on ${d.queue ?? 'its queue'}${d.priority !== undefined ? ` (priority ${d.priority})` : ''}`, fields(d));
      }
      case 'run.started': {
        const d = event.data;
        if (d.attempt && d.attempt > 1) return log.info(`Run ${d.runId} started (attempt ${d.attempt})`, fields(d));
        return log.debug(`Run ${d.runId} started`, fields(d));
      }
      case 'run.finished': {
        const d = event.data;
        if (d.status === 'succeeded') return log.info(`Run ${d.runId} succeeded`, fields(d));
        return log.warn(`Run ${d.runId} ${d.status}${d.error ? `: ${d.error}` : ''}`, { ...fields(d), status: d.status });
      }
      case 'run.paused':
        return log.info(`Run ${event.data.runId} paused`, fields(event.data));
      case 'run.resumed':
        return log.info(`Run ${event.data.runId} resumed`, fields(event.data));
      case 'run.interrupted':
        return log.warn(`Run ${event.data.runId} interrupted (${event.data.reason}); it continues after restart`, fields(event.data));
      default:
        return undefined;
    }
  });
}
