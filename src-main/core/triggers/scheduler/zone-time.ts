/**
 * Instants ↔ wall-clock times in an IANA zone, through Intl (no tz database of our own).
 * Offsets are cached per zone and UTC minute: every zone in use changes offset on whole minutes.
 */

const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The process's own zone (the default of a schedule without `timezone`). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Is this an IANA zone name Intl knows? */
export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in ms (wall = utc + offset). */
export function offsetAt(utc: number, zone: string): number {
  const minute = Math.floor(utc / 60_000);
  let cache = offsetCache.get(zone);
  if (!cache) offsetCache.set(zone, (cache = new Map()));
  const hit = cache.get(minute);
  if (hit !== undefined) return hit;
  const parts = formatter(zone).formatToParts(new Date(minute * 60_000));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = wall - minute * 60_000;
  if (cache.size > 50_000) cache.clear();
  cache.set(minute, offset);
  return offset;
}

export function wallOf(utc: number, zone: string): number {
  return utc + offsetAt(utc, zone);
}

/**
 * The instants showing this wall time, earliest first: one normally, none in a spring-forward
 * gap, two in a fall-back repeat.
 */
export function instantsOf(wall: number, zone: string): number[] {
  const out: number[] = [];
  for (const o of new Set([offsetAt(wall - DAY, zone), offsetAt(wall, zone), offsetAt(wall + DAY, zone)])) {
    const u = wall - o;
    if (offsetAt(u, zone) === o && !out.includes(u)) out.push(u);
  }
  return out.sort((a, b) => a - b);
}

/** The instant a spring-forward gap containing `wall` ends (the first instant after it). */
export function gapEnd(wall: number, zone: string): number {
  const after = offsetAt(wall + DAY, zone);
  // Before the transition the offset is smaller, so `wall - after` lies before it and `wall - before` after it.
  let lo = Math.floor((wall - after) / 60_000);
  let hi = Math.ceil((wall - offsetAt(wall - DAY, zone)) / 60_000);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid * 60_000, zone) === after) hi = mid;
    else lo = mid + 1;
  }
  return lo * 60_000;
}
