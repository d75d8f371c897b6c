import { describe, expect, it } from 'vitest';
import { EventBus } from '../kernel/event-bus';
import { MemorySink, createLogger } from '../kernel/logger';
import { logQueueEvents } from './queue-log';

function setup() {
  const sink = new MemorySink();
  const bus = new EventBus(() => Date.parse('2026-12-07T23:00:00Z'));
  logQueueEvents(bus, createLogger({ sinks: [sink], level: 'info' }, 'Queue'));
  const lines = () => sink.records().map((r) => `${r.level as string} ${r.msg as string}`);
  return { bus, lines };
}

const run = { runId: 'run_1', template: 'noop', queue: 'default' };

describe("the Queue component's log lines", () => {
  it('writes one info line for a run that goes well: how it ended (queueing and first start are debug)', () => {
    const { bus, lines } = setup();
    bus.publish('run.queued', { ...run, priority: 5 });
    bus.publish('run.started', { ...run, attempt: 1 });
    bus.publish('run.finished', { ...run, status: 'succeeded', error: null });
    expect(lines()).toEqual(['info Run run_1 succeeded']);
  });

  it('keeps a line per failure with its error, and a retried attempt starting', () => {
    const { bus, lines } = setup();
    bus.publish('run.started', { ...run, attempt: 1 });
    bus.publish('run.finished', { ...run, status: 'failed', error: 'steps[0] http_request: 503' });
    bus.publish('run.started', { ...run, attempt: 2 });
    bus.publish('run.finished', { ...run, status: 'cancelled', error: 'cancelled by a person' });
    expect(lines()).toEqual(['warn Run run_1 failed: steps[0] http_request: 503', 'info Run run_1 started (attempt 2)', 'warn Run run_1 cancelled: cancelled by a person']);
  });

  it('writes the queueing and every start at debug level', () => {
    const sink = new MemorySink();
    const bus = new EventBus(() => 0);
    logQueueEvents(bus, createLogger({ sinks: [sink], level: 'debug' }, 'Queue'));
    bus.publish('run.queued', { ...run, priority: 3 });
    bus.publish('run.started', { ...run, attempt: 1 });
    expect(sink.records().map((r) => [r.level, r.msg, r.component, r.runId])).toEqual([
      ['debug', 'Run run_1 queued on default (priority 3)', 'Queue', 'run_1'],
      ['debug', 'Run run_1 started', 'Queue', 'run_1'],
    ]);
  });
});
