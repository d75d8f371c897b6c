import { tryParseCron, type CronSpec } from '@shared/cron/cron-parse';

/** The words a cron is told in (ja.ts / en.ts `triggers.cron`). */
export interface CronWordTexts {
  everySecond: string;
  everyMinute: string;
  everyNMinutes: (n: number) => string;
  hourlyAt: (minute: number) => string;
  at: (times: string[]) => string;
  daily: string;
  weekdays: (days: string[]) => string;
  monthDays: (days: number[]) => string;
  months: (months: number[]) => string;
  dayNames: readonly string[];
  /** The time and the day restrictions in the language's order. */
  join: (time: string, days: string[]) => string;
}

const on = (flags: readonly boolean[]) => flags.flatMap((f, i) => (f ? [i] : []));
const all = (flags: readonly boolean[], from: number, to: number) => flags.slice(from, to + 1).every(Boolean);
const two = (n: number) => String(n).padStart(2, '0');

/** Minutes like 0, 15, 30, 45: every n minutes from the top of the hour. */
function stepOf(values: number[]): number | undefined {
  if (values.length < 2 || values[0] !== 0) return undefined;
  const step = values[1]!;
  return values.every((v, i) => v === i * step) && 60 % step === 0 ? step : undefined;
}

/** A cron in words ("at 09:00 on Mon, Fri"); the expression itself when it is not one of the common shapes. */
export function cronInWords(expression: string, t: CronWordTexts): string {
  const parsed = tryParseCron(expression);
  if (!parsed.ok) return expression;
  const s: CronSpec = parsed.spec;
  const seconds = on(s.second);
  const minutes = on(s.minute);
  const hours = on(s.hour);
  const everyHour = all(s.hour, 0, 23);
  let time: string | undefined;
  let atTimes = false;
  if (s.hasSeconds && all(s.second, 0, 59) && all(s.minute, 0, 59) && everyHour) time = t.everySecond;
  else if (seconds.length === 1 && seconds[0] === 0) {
    if (all(s.minute, 0, 59) && everyHour) time = t.everyMinute;
    else if (everyHour && stepOf(minutes)) time = t.everyNMinutes(stepOf(minutes)!);
    else if (everyHour && minutes.length === 1) time = t.hourlyAt(minutes[0]!);
    else if (hours.length * minutes.length <= 6) {
      time = t.at(hours.flatMap((h) => minutes.map((m) => `${two(h)}:${two(m)}`)));
      atTimes = true;
    }
  }
  if (!time) return expression;
  const days: string[] = [];
  if (s.dowRestricted) days.push(t.weekdays(on(s.dayOfWeek).map((d) => t.dayNames[d]!)));
  if (s.domRestricted) days.push(t.monthDays(on(s.dayOfMonth)));
  if (!all(s.month, 1, 12)) days.push(t.months(on(s.month)));
  if (!days.length && atTimes) days.push(t.daily);
  return t.join(time, days);
}
