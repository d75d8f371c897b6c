import { describe, expect, it } from 'vitest';
import { AttemptStop } from './attempt-stop';
import { StepAborted } from './errors';

describe('one attempt of an action and its stop', () => {
  it("settles with the action's result, whether it returns a value or a promise", async () => {
    expect(await new AttemptStop().race(() => ({ ok: 1 }))).toEqual({ ok: 1 });
    expect(await new AttemptStop().race(async () => ({ ok: 2 }))).toEqual({ ok: 2 });
  });

  it("rejects with the action's error, thrown or rejected", async () => {
    await expect(
      new AttemptStop().race(() => {
        throw new Error('thrown at once');
      }),
    ).rejects.toThrow('thrown at once');
    await expect(new AttemptStop().race(async () => Promise.reject(new Error('later')))).rejects.toThrow('later');
  });

  it('stops at once when stopped, without waiting for an action that does not notice; its later failure goes nowhere', async () => {
    const stop = new AttemptStop();
    let fail!: (e: Error) => void;
    const raced = stop.race(() => new Promise((_, reject) => (fail = reject)));
    stop.stop('cancel');
    await expect(raced).rejects.toBeInstanceOf(StepAborted);
    expect(stop.reason).toBe('cancel');
    // The action gives up later: no unhandled rejection (vitest fails the run on one).
    fail(new Error('too late'));
    await new Promise((r) => setImmediate(r));
  });

  it('does not start the action of an attempt stopped before it starts', async () => {
    const stop = new AttemptStop();
    stop.stop('shutdown');
    let started = false;
    await expect(stop.race(() => (started = true))).rejects.toBeInstanceOf(StepAborted);
    expect(started).toBe(false);
  });

  it('makes the signal only when read, aborted with the reason', () => {
    const stop = new AttemptStop();
    stop.stop('step_timeout');
    expect(stop.signal.aborted).toBe(true);
    expect(stop.signal.reason).toBe('step_timeout');
    const later = new AttemptStop();
    const signal = later.signal;
    later.stop('timeout');
    expect(signal.reason).toBe('timeout');
  });
});
