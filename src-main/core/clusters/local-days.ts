/**
 * Local calendar days for `trend_3d`: the start of today, yesterday and the day before in the
 * machine's time zone. Date arithmetic on calendar fields (not "now − 24 h"), so a day of 23 or
 * 25 hours (a DST change) is still one day.
 */
export function localDayStarts(now: number, days = 3): number[] {
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const starts: number[] = [];
  for (let back = days - 1; back >= 0; back--) {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() - back);
    starts.push(d.getTime());
  }
  return starts;
}
