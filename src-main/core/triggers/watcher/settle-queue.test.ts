import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../kernel/clock';
import { SettleQueue } from './settle-queue';

describe('SettleQueue (trailing-edge debounce over many keys)', () => {
  it('hands a key over only after it was left alone for the delay; each touch restarts its wait', () => {
    const clock = new FakeClock();
    const seen: string[][] = [];
    const q = new SettleQueue<number>(clock, 1000, (due) => seen.push(due.map((d) => `${d.key}=${d.value}`)));
    q.touch('a', 1);
    clock.advance(600);
    q.touch('a', 2);
    q.touch('b', 1);
    clock.advance(999);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([['a=2', 'b=1']]);
    expect(q.size).toBe(0);
  });

  it('takes every due key in one hand-over and keeps the rest waiting; a removed key never comes', () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const q = new SettleQueue<null>(clock, 100, (due) => seen.push(due.map((d) => d.key).join(',')));
    for (let i = 0; i < 5000; i++) q.touch(`f${i}`, null);
    q.remove('f7');
    clock.advance(50);
    q.touch('late', null);
    clock.advance(50);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.split(',')).toHaveLength(4999);
    expect(q.get('late')).toBeNull();
    clock.advance(50);
    expect(seen[1]).toBe('late');
  });
});
