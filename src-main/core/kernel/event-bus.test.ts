import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '@shared/contract/events';
import { EventBus } from './event-bus';

const logged: { message: string; fields?: Record<string, unknown> }[] = [];
const logger = { error: (message: string, fields?: Record<string, unknown>) => void logged.push({ message, fields }) };

describe('EventBus', () => {
  it('delivers to on(name) only that name, with its payload type', () => {
    const bus = new EventBus(() => 0, undefined, logger);
    const finished: string[] = [];
    bus.on('run.finished', (e) => finished.push(`${e.data.runId}:${e.data.status}`));
    bus.publish('run.queued', { runId: 'r1' });
    bus.publish('run.finished', { runId: 'r1', status: 'succeeded' });
    expect(finished).toEqual(['r1:succeeded']);
  });

  it('narrows the payload of an all-events listener by its type', () => {
    const bus = new EventBus(() => 0, undefined, logger);
    const names: string[] = [];
    bus.subscribe((e: AgentEvent) => {
      if (e.type === 'template.changed') names.push(e.data.name);
    });
    bus.publish('template.changed', { name: 'weekly_report' });
    expect(names).toEqual(['weekly_report']);
  });

  it('rejects an unknown name or a payload that does not fit its name, at compile time and at run time', () => {
    const bus = new EventBus(() => 0, undefined, logger);
    // @ts-expect-error an event name the contract does not declare
    expect(() => bus.publish('run.exploded', { runId: 'r1' })).toThrow("Unknown event type 'run.exploded'");
    // @ts-expect-error an event name the contract does not declare
    expect(() => bus.on('trigger.fired', () => {})).toThrow("Unknown event type 'trigger.fired'");
    // @ts-expect-error run.finished needs a status
    bus.publish('run.finished', { runId: 'r1' });
    // @ts-expect-error queue.paused has no runId
    bus.publish('queue.paused', { queue: 'default', by: null, runId: 'r1' });
    // @ts-expect-error the payload of run.queued has no status
    bus.on('run.queued', (e) => e.data.status);
  });

  it('logs a listener that throws with the event name, and still delivers to the others', () => {
    logged.length = 0;
    const bus = new EventBus(() => 0, undefined, logger);
    const heard: string[] = [];
    bus.on('queue.paused', () => {
      throw new Error('listener broke');
    });
    bus.subscribe((e) => heard.push(e.type));
    bus.publish('queue.paused', { queue: 'default', by: 'ken' });
    expect(heard).toEqual(['queue.paused']);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).toBe("A listener of 'queue.paused' failed");
    expect(logged[0]!.fields).toMatchObject({ event: 'queue.paused', error: { message: 'listener broke' } });
  });

  it('writes a listener error to stderr when it has no logger', () => {
    const bus = new EventBus(() => 0);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      bus.on('config.reloaded', () => {
        throw new Error('no logger here');
      });
      bus.publish('config.reloaded', { file: 'orchestrator.yaml' });
    } finally {
      process.stderr.write = original;
    }
    expect(written.join('')).toContain("A listener of 'config.reloaded' failed: Error: no logger here");
  });
});
