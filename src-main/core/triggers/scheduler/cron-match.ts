import { cronDayMatches, type CronSpec } from '@shared/cron/cron-parse';

/**
 * Wall-clock matching. A wall time is written as milliseconds in a zone-free calendar
 * (`Date.UTC(y, m, d, h, mi, s)`), so this file knows nothing about time zones or DST;
 * fire-times.ts maps wall times to instants.
 */

/** Search no further than this many years ahead (a spec that never matches is refused at parse). */
const HORIZON_YEARS = 30;

function firstAllowed(table: readonly boolean[], from: number): number {
  for (let i = from; i < table.length; i++) if (table[i]) return i;
  return -1;
}

/** The first wall time at or after `fromWall` (rounded up to a whole second) that the spec matches. */
export function nextMatchingWall(spec: CronSpec, fromWall: number): number | undefined {
  let t = Math.ceil(fromWall / 1000) * 1000;
  const limit = new Date(t).getUTCFullYear() + HORIZON_YEARS;
  for (;;) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    if (y > limit) return undefined;
    const mo = d.getUTCMonth();
    const day = d.getUTCDate();
    if (!spec.month[mo + 1]) {
      t = Date.UTC(y, mo + 1, 1);
      continue;
    }
    if (!cronDayMatches(spec, day, mo + 1, d.getUTCDay())) {
      t = Date.UTC(y, mo, day + 1);
      continue;
    }
    const h = d.getUTCHours();
    const hour = firstAllowed(spec.hour, h);
    if (hour < 0) {
      t = Date.UTC(y, mo, day + 1);
      continue;
    }
    if (hour !== h) {
      t = Date.UTC(y, mo, day, hour);
      continue;
    }
    const mi = d.getUTCMinutes();
    const minute = firstAllowed(spec.minute, mi);
    if (minute < 0) {
      t = Date.UTC(y, mo, day, h + 1);
      continue;
    }
    if (minute !== mi) {
      t = Date.UTC(y, mo, day, h, minute);
      continue;
    }
    const second = firstAllowed(spec.second, d.getUTCSeconds());
    if (second < 0) {
      t = Date.UTC(y, mo, day, h, mi + 1);
      continue;
    }
    return Date.UTC(y, mo, day, h, mi, second);
  }
}
