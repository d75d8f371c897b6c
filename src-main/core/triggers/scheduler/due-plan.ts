import type { CronSpec } from '@shared/cron/cron-parse';
import { nextFireAfter } from './fire-times';

export interface DuePlan {
  /** Times not run, oldest first; a long run of them is folded into one entry (`count`, `until`). */
  missed: { at: number; count: number; until?: number }[];
  /** Times to run now, in order; `late` ones are missed times run by catch_up. */
  run: { at: number; late: boolean }[];
  /** The next scheduled time after the last one handled. */
  next: number | undefined;
}

/** Missed times beyond this many are folded into one ledger row. */
const MAX_MISSED_ROWS = 1000;

/**
 * Decides what happens to the times from `first` up to `now` (SPEC 6, catch_up): a time within
 * `graceMs` of now is on time and runs; older ones were missed (the machine was off or asleep):
 * `skip` runs none of them, `once` the latest, `all` each (at most `maxCatchUp`, the latest).
 */
export function planDue(a: { spec: CronSpec; zone: string; first: number; now: number; graceMs: number; catchUp: 'skip' | 'once' | 'all'; maxCatchUp: number }): DuePlan {
  const due: number[] = [];
  let t: number | undefined = a.first;
  while (t !== undefined && t <= a.now) {
    due.push(t);
    t = nextFireAfter(a.spec, a.zone, t);
  }
  const split = due.findIndex((at) => a.now - at <= a.graceMs);
  const missedAll = split < 0 ? due : due.slice(0, split);
  const onTime = split < 0 ? [] : due.slice(split);
  const late = a.catchUp === 'skip' ? [] : a.catchUp === 'once' ? missedAll.slice(-1) : missedAll.slice(-a.maxCatchUp);
  const notRun = missedAll.slice(0, missedAll.length - late.length);
  const missed: DuePlan['missed'] = [];
  if (notRun.length > MAX_MISSED_ROWS) {
    const foldEnd = notRun.length - (MAX_MISSED_ROWS - 1);
    missed.push({ at: notRun[0]!, count: foldEnd, until: notRun[foldEnd - 1]! });
    for (const at of notRun.slice(foldEnd)) missed.push({ at, count: 1 });
  } else {
    for (const at of notRun) missed.push({ at, count: 1 });
  }
  return { missed, run: [...late.map((at) => ({ at, late: true })), ...onTime.map((at) => ({ at, late: false }))], next: t };
}
