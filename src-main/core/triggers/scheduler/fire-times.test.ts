import { describe, expect, it } from 'vitest';
import { parseCron } from '@shared/cron/cron-parse';
import { fireTimesAfter, nextFireAfter } from './fire-times';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const times = (cron: string, zone: string, after: string, n: number) => fireTimesAfter(parseCron(cron), zone, Date.parse(after), n).map(iso);

describe('fire times in a zone (SPEC 6: DST)', () => {
  it('Europe/Berlin spring-forward: 02:30 does not exist and fires once at 03:00 CEST', () => {
    expect(times('30 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3)).toEqual(['2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z']);
  });
  it('Europe/Berlin fall-back: the repeated 02:30 fires once, at its first occurrence', () => {
    expect(times('30 2 * * *', 'Europe/Berlin', '2026-10-23T12:00:00Z', 3)).toEqual(['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z']);
  });
  it('Europe/Berlin interval: the gap collapses into one fire, the repeated hour fires once', () => {
    expect(times('*/15 * * * *', 'Europe/Berlin', '2026-03-29T00:40:00Z', 3)).toEqual(['2026-03-29T00:45:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:15:00Z']);
    expect(times('*/15 * * * *', 'Europe/Berlin', '2026-10-25T00:40:00Z', 3)).toEqual(['2026-10-25T00:45:00Z', '2026-10-25T02:00:00Z', '2026-10-25T02:15:00Z']);
  });
  it('America/New_York: 02:30 on the spring day fires at 03:00 EDT; 01:30 on the fall day fires once', () => {
    expect(times('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z']);
    expect(times('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
  });
  it('Asia/Tokyo has no DST: 09:00 is always 00:00Z', () => {
    expect(times('0 9 * * *', 'Asia/Tokyo', '2026-03-07T12:00:00Z', 3)).toEqual(['2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', '2026-03-10T00:00:00Z']);
  });
  it('a 6-field every-second schedule is strictly increasing across both transitions, without repeats', () => {
    const spec = parseCron('* * * * * *');
    for (const [after, jump] of [['2026-03-29T00:59:57Z', 1000], ['2026-10-25T00:59:57Z', 3601_000]] as const) {
      const list = fireTimesAfter(spec, 'Europe/Berlin', Date.parse(after), 4);
      const steps = list.slice(1).map((t, i) => t - list[i]!);
      expect(steps).toEqual([1000, jump, 1000]);
    }
  });
  it('aliases, names and Vixie day matching', () => {
    expect(times('@daily', 'UTC', '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T00:00:00Z']);
    expect(times('0 2 * * sun', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-04T02:00:00Z']);
    // the 13th OR a Friday
    expect(times('0 0 13 * 5', 'UTC', '2026-02-01T00:00:00Z', 3)).toEqual(['2026-02-06T00:00:00Z', '2026-02-13T00:00:00Z', '2026-02-20T00:00:00Z']);
    expect(times('0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00Z']);
  });
  it('nextFireAfter is strictly after the given instant', () => {
    const spec = parseCron('0 * * * *');
    expect(iso(nextFireAfter(spec, 'UTC', Date.parse('2026-01-01T10:00:00Z'))!)).toBe('2026-01-01T11:00:00Z');
  });
});
