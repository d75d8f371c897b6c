/**
 * Cron expressions of SPEC section 2: 5 fields (minute hour day-of-month month day-of-week), or 6
 * with seconds first, and the aliases @yearly @annually @monthly @weekly @daily @midnight @hourly.
 * Plain TypeScript so the Triggers view validates at the field with the same parser as the core.
 *
 * Day matching follows Vixie cron: when both day-of-month and day-of-week are restricted (neither
 * starts with `*`), a day matches if either does; otherwise both must.
 */

export interface CronSpec {
  source: string;
  hasSeconds: boolean;
  second: readonly boolean[];
  minute: readonly boolean[];
  hour: readonly boolean[];
  /** Indexed 1..31. */
  dayOfMonth: readonly boolean[];
  /** Indexed 1..12. */
  month: readonly boolean[];
  /** Indexed 0..6, Sunday = 0. */
  dayOfWeek: readonly boolean[];
  domRestricted: boolean;
  dowRestricted: boolean;
}

export class CronSyntaxError extends Error {
  constructor(
    message: string,
    /** The field at fault (`minute`, `hour`, …), when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CronSyntaxError';
  }
}

export const CRON_ALIASES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SECOND: FieldDef = { name: 'second', min: 0, max: 59 };
const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // 7 is Sunday too, folded to 0 below.
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

function parseValue(text: string, def: FieldDef): number {
  const lower = text.toLowerCase();
  const named = def.names?.indexOf(lower) ?? -1;
  if (named >= 0) return def.names === MONTHS ? named + 1 : named;
  if (!/^\d{1,2}$/.test(text)) {
    const hint = /[LW#]/i.test(text) ? ' (L, W and # are not supported)' : def.names ? ` (a number or ${def.names[0]!.toUpperCase()}…)` : '';
    throw new CronSyntaxError(`${def.name}: '${text}' is not a number${hint}`, def.name);
  }
  const n = Number(text);
  if (n < def.min || n > def.max) throw new CronSyntaxError(`${def.name}: ${n} is outside ${def.min}-${def.max}`, def.name);
  return n;
}

/** One field → a table of the values it allows; `restricted` is false when it starts with `*` or is `?`. */
function parseField(text: string, def: FieldDef): { allowed: boolean[]; restricted: boolean } {
  const allowed = new Array<boolean>(def.max + 1).fill(false);
  for (const item of text.split(',')) {
    if (item === '') throw new CronSyntaxError(`${def.name}: empty item in '${text}'`, def.name);
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronSyntaxError(`${def.name}: '${item}' has more than one '/'`, def.name);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      if (range === '?' && def.name !== 'day-of-month' && def.name !== 'day-of-week') throw new CronSyntaxError(`${def.name}: '?' is only for the day fields`, def.name);
      from = def.min;
      to = def.name === 'day-of-week' ? 6 : def.max;
    } else {
      const bounds = range!.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) throw new CronSyntaxError(`${def.name}: '${range}' is not a value or a range a-b`, def.name);
      from = parseValue(bounds[0]!, def);
      to = bounds.length === 2 ? parseValue(bounds[1]!, def) : stepText !== undefined ? def.max : from;
      if (to < from) throw new CronSyntaxError(`${def.name}: range ${bounds.join('-')} runs backwards`, def.name);
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d{1,2}$/.test(stepText) || Number(stepText) < 1) throw new CronSyntaxError(`${def.name}: step '${stepText}' must be a whole number of at least 1`, def.name);
      step = Number(stepText);
    }
    for (let v = from; v <= to; v += step) allowed[v] = true;
  }
  if (def.name === 'day-of-week' && allowed[7]) allowed[0] = true;
  return { allowed, restricted: !(text.startsWith('*') || text === '?') };
}

/** Parses an expression or throws CronSyntaxError naming the field and what is wrong. */
export function parseCron(expression: string): CronSpec {
  const source = expression.trim();
  if (!source) throw new CronSyntaxError('the cron expression is empty');
  let text = source;
  if (source.startsWith('@')) {
    const alias = CRON_ALIASES[source.toLowerCase()];
    if (!alias) throw new CronSyntaxError(`unknown alias '${source}' (use one of ${Object.keys(CRON_ALIASES).join(' ')})`);
    text = alias;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new CronSyntaxError(`a cron expression has 5 fields (minute hour day month weekday) or 6 with seconds first; '${source}' has ${parts.length}`);
  }
  const hasSeconds = parts.length === 6;
  const second = hasSeconds ? parseField(parts[0]!, SECOND).allowed : Array.from({ length: 60 }, (_, i) => i === 0);
  const [minute, hour, dom, month, dow] = FIELDS.map((def, i) => parseField(parts[i + (hasSeconds ? 1 : 0)]!, def));
  const spec: CronSpec = {
    source,
    hasSeconds,
    second,
    minute: minute!.allowed,
    hour: hour!.allowed,
    dayOfMonth: dom!.allowed,
    month: month!.allowed,
    dayOfWeek: dow!.allowed.slice(0, 7),
    domRestricted: dom!.restricted,
    dowRestricted: dow!.restricted,
  };
  if (!canEverMatch(spec)) throw new CronSyntaxError(`'${source}' never matches a real date`, 'day-of-month');
  return spec;
}

/** A day-of-month that no allowed month has (30 February) with an unrestricted weekday never fires. */
function canEverMatch(spec: CronSpec): boolean {
  if (spec.domRestricted && spec.dowRestricted) return true;
  const longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  for (let m = 1; m <= 12; m++) {
    if (!spec.month[m]) continue;
    for (let d = 1; d <= longest[m]!; d++) if (spec.dayOfMonth[d]) return true;
  }
  return false;
}

export function tryParseCron(expression: string): { ok: true; spec: CronSpec } | { ok: false; message: string; field?: string } {
  try {
    return { ok: true, spec: parseCron(expression) };
  } catch (e) {
    if (e instanceof CronSyntaxError) return { ok: false, message: e.message, field: e.field };
    throw e;
  }
}

/** Does the day (1-based day of month, 1-based month, weekday 0 = Sunday) match? */
export function cronDayMatches(spec: CronSpec, day: number, month: number, weekday: number): boolean {
  if (!spec.month[month]) return false;
  const dom = spec.dayOfMonth[day] === true;
  const dow = spec.dayOfWeek[weekday] === true;
  return spec.domRestricted && spec.dowRestricted ? dom || dow : dom && dow;
}
