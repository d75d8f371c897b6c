import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: readonly number[];
  /** A CSS colour (the theme's variables are not visible to canvas). */
  color: string;
}

/** Draws with uPlot into a div it owns; redrawn when the data or size changes (decision 0024). */
function useUPlot(make: (el: HTMLDivElement) => uPlot, deps: readonly unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const plot = make(ref.current);
    return () => plot.destroy();
  }, deps);
  return ref;
}

/** Counts: the y axis steps in whole numbers (no "0.5 runs"). */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

/**
 * The hour axis in the UI's language (uPlot's own labels are English: "3am", "Time"): the hour,
 * and the date under the first tick and where a day starts.
 */
function hourAxis(locale: string) {
  const hour = new Intl.DateTimeFormat(locale, { hour: 'numeric' });
  const day = new Intl.DateTimeFormat(locale, { month: 'numeric', day: 'numeric' });
  const full = new Intl.DateTimeFormat(locale, { month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  return {
    ticks: (splits: number[]) =>
      splits.map((s, i) => {
        const d = new Date(s * 1000);
        const newDay = i === 0 || d.getDate() !== new Date(splits[i - 1]! * 1000).getDate();
        return newDay ? `${hour.format(d)}\n${day.format(d)}` : hour.format(d);
      }),
    legend: (v: number | null) => (v === null ? '--' : full.format(new Date(v * 1000))),
  };
}

/** A time chart of hourly counts (x: the start of each hour), one line per series. */
export function HourlyChart({ hours, series, locale, timeLabel, height = 180, testId, title }: { hours: readonly string[]; series: readonly ChartSeries[]; locale: string; timeLabel: string; height?: number; testId: string; title: string }) {
  const key = JSON.stringify([hours, series, locale, timeLabel]);
  const ref = useUPlot(
    (el) => {
      const axis = hourAxis(locale);
      return new uPlot(
        {
          width: Math.max(280, el.clientWidth || 560),
          height,
          series: [{ label: timeLabel, value: (_u, v) => axis.legend(v) }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: `${s.color}22`, points: { show: false } }))],
          axes: [{ values: (_u, splits) => axis.ticks(splits) }, { size: 40, incrs: COUNT_STEPS }],
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          legend: { show: true },
        },
        [hours.map((h) => Date.parse(h) / 1000), ...series.map((s) => [...s.values])],
        el,
      );
    },
    [key, height],
  );
  return <div ref={ref} className="chart" role="img" aria-label={title} data-testid={testId} data-points={hours.length} data-total={series.reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0)} />;
}

/** A small line without axes: a cluster's occurrences over the last three local days. */
export function Sparkline({ values, label, testId }: { values: readonly number[]; label: string; testId?: string }) {
  const ref = useUPlot(
    (el) =>
      new uPlot(
        {
          width: 90,
          height: 28,
          cursor: { show: false },
          legend: { show: false },
          axes: [{ show: false }, { show: false }],
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          series: [{}, { stroke: '#c0392b', width: 2, points: { show: true, size: 4 } }],
        },
        [values.map((_, i) => i), [...values]],
        el,
      ),
    [values.join(',')],
  );
  return <div ref={ref} className="sparkline" role="img" aria-label={label} title={label} data-testid={testId} data-values={values.join(',')} />;
}
