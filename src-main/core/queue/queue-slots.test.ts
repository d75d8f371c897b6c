import { describe, expect, it } from 'vitest';
import { RunningRuns, type Running } from './queue-slots';

const entry = (queue: string): Running => ({ queue, tag: null, controller: new AbortController(), done: Promise.resolve() });

describe('RunningRuns', () => {
  it('counts the runs of each queue as they start, are replaced and end', () => {
    const running = new RunningRuns();
    running.set('a', entry('default'));
    running.set('b', entry('default'));
    running.set('c', entry('background'));
    expect([running.in('default'), running.in('background'), running.in('other')]).toEqual([2, 1, 0]);
    running.set('b', entry('background'));
    expect([running.in('default'), running.in('background')]).toEqual([1, 2]);
    expect(running.delete('a')).toBe(true);
    expect(running.delete('a')).toBe(false);
    expect([running.in('default'), running.size]).toEqual([0, 2]);
    running.clear();
    expect(running.in('background')).toBe(0);
  });
});
