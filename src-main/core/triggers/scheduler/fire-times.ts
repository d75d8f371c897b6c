import type { CronSpec } from '@shared/cron/cron-parse';
import { nextMatchingWall } from './cron-match';
import { gapEnd, instantsOf, wallOf } from './zone-time';

/**
 * When a schedule fires (SPEC section 6): at each wall time the cron matches, in the schedule's
 * zone. A wall time inside a spring-forward gap fires once, at the instant the gap ends (several
 * gap times collapse into that one fire); a wall time that a fall-back repeats fires once, at its
 * first occurrence. The scheduler fires exactly this sequence, and the preview lists it.
 */
export function nextFireAfter(spec: CronSpec, zone: string, afterUtc: number): number | undefined {
  let wall = nextMatchingWall(spec, Math.floor(wallOf(afterUtc, zone) / 1000) * 1000);
  // The loop only walks past wall times whose instant is not after `afterUtc`: at most the
  // matches within one repeated hour.
  for (let guard = 0; wall !== undefined && guard < 100_000; guard++) {
    const instants = instantsOf(wall, zone);
    const fire = instants.length ? instants[0]! : gapEnd(wall, zone);
    if (fire > afterUtc) return fire;
    wall = nextMatchingWall(spec, wall + 1000);
  }
  return undefined;
}

/** The next `count` fire times after an instant. */
export function fireTimesAfter(spec: CronSpec, zone: string, afterUtc: number, count: number): number[] {
  const out: number[] = [];
  let t: number | undefined = afterUtc;
  while (out.length < count && (t = nextFireAfter(spec, zone, t)) !== undefined) out.push(t);
  return out;
}
