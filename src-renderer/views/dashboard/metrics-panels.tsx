import { CONTRACT } from '@shared/contract';
import { useEffect } from 'react';
import { HourlyChart, Sparkline } from '../../components/charts';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { useMessages } from '../../i18n/use-messages';
import type { Messages } from '../../i18n';
import { useLocaleStore, useMetricsStore } from '../../stores/app-stores';
import type { Metrics } from '../../stores/metrics-store';

const METRICS_BINDING = `${CONTRACT['metrics.get'].http.method} ${CONTRACT['metrics.get'].http.path}`;

const percent = (v: number | null, none: string) => (v === null ? none : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null, none: string) => (v === null ? none : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`);

function Figure({ label, value, testId, tone }: { label: string; value: string | number; testId: string; tone?: 'good' | 'bad' }) {
  return (
    <div className={`figure${tone ? ` ${tone}` : ''}`} data-testid={testId}>
      <div className="figure-value">{value}</div>
      <div className="figure-label">{label}</div>
    </div>
  );
}

function Section({ title, testId, children }: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <section className="panel metrics-section" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

/** The guide's dashboard sections over GET /metrics; live while on screen (the store reads again on events). */
export function MetricsPanels() {
  const t = useMessages();
  const status = useMetricsStore((s) => s.status);
  const error = useMetricsStore((s) => s.error);
  const metrics = useMetricsStore((s) => s.metrics);
  const load = useMetricsStore((s) => s.load);
  const watch = useMetricsStore((s) => s.watch);
  useEffect(() => {
    const unwatch = watch();
    void load();
    return unwatch;
  }, [load, watch]);
  if (status !== 'ready' || !metrics) {
    return (
      <section className="panel" data-testid="metrics-panels" data-state={status}>
        <QueryMessage status={status} error={error} binding={METRICS_BINDING} onReload={() => void load()} />
      </section>
    );
  }
  return (
    <div className="metrics" data-testid="metrics-panels" data-state={status}>
      <Overview m={metrics} t={t} />
      <Charts m={metrics} t={t} />
      <div className="metrics-grid">
        <Hitl m={metrics} t={t} />
        <Triggers m={metrics} t={t} />
        <Security m={metrics} t={t} />
      </div>
      <Clusters m={metrics} t={t} />
    </div>
  );
}

function Overview({ m, t }: { m: Metrics; t: Messages }) {
  const d = t.dashboard;
  const rate = m.success_rate_24h;
  return (
    <Section title={d.overview} testId="metrics-overview">
      <div className="figures">
        <Figure label={d.successRate} value={percent(rate, d.none)} testId="figure-success-rate" tone={rate === null ? undefined : rate < 0.8 ? 'bad' : 'good'} />
        <Figure label={d.runsPerHour} value={m.runs_per_hour_24h} testId="figure-runs-per-hour" />
        <Figure label={d.finished(m.succeeded_24h, m.failed_24h)} value={m.succeeded_24h + m.failed_24h + m.cancelled_24h} testId="figure-finished" />
        <Figure label={d.retryRate} value={percent(m.retry_rate_24h, d.none)} testId="figure-retry-rate" />
        <Figure label={d.durationP50} value={ms(m.median_duration_ms_24h, d.none)} testId="figure-p50" />
        <Figure label={d.durationP95} value={ms(m.p95_duration_ms_24h, d.none)} testId="figure-p95" />
        <Figure label={d.queuePeak} value={m.queue_depth_peak_24h} testId="figure-queue-peak" />
        <Figure label={d.totalRuns} value={m.total_runs} testId="figure-total-runs" />
      </div>
    </Section>
  );
}

function Charts({ m, t }: { m: Metrics; t: Messages }) {
  const d = t.dashboard;
  const locale = useLocaleStore((s) => s.locale);
  return (
    <div className="metrics-grid">
      <Section title={d.runsChart} testId="metrics-runs-chart">
        <HourlyChart
          testId="chart-runs"
          title={d.runsChart}
          locale={locale}
          timeLabel={d.hour}
          hours={m.charts.hours}
          series={[
            { label: d.created, values: m.charts.runs_created, color: '#2d6cdf' },
            { label: d.succeeded, values: m.charts.runs_succeeded, color: '#1e8e3e' },
            { label: d.failed, values: m.charts.runs_failed, color: '#c0392b' },
          ]}
        />
      </Section>
      <Section title={d.queueChart} testId="metrics-queue-chart">
        <HourlyChart testId="chart-queue" title={d.queueChart} locale={locale} timeLabel={d.hour} hours={m.charts.hours} series={[{ label: d.depthPeak, values: m.charts.queue_depth_peak, color: '#8e44ad' }]} />
        <table className="mini-table" data-testid="metrics-queues">
          <thead>
            <tr>
              <th>{d.queue}</th>
              <th>{d.depth}</th>
              <th>{d.running}</th>
              <th>{d.state}</th>
            </tr>
          </thead>
          <tbody>
            {m.queues.map((q) => (
              <tr key={q.name}>
                <td>{q.name}</td>
                <td>{q.depth}</td>
                <td>{q.running}</td>
                <td>{q.paused ? d.paused : d.active}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}

function Hitl({ m, t }: { m: Metrics; t: Messages }) {
  const d = t.dashboard;
  return (
    <Section title={d.hitl} testId="metrics-hitl">
      <div className="figures">
        <Figure label={d.interventions} value={m.hitl_interventions_24h} testId="figure-hitl-interventions" />
        <Figure label={d.approved} value={m.hitl_approved_24h} testId="figure-hitl-approved" />
        <Figure label={d.denied} value={m.hitl_denied_24h} testId="figure-hitl-denied" />
        <Figure label={d.timeouts} value={m.hitl_timeouts_24h} testId="figure-hitl-timeouts" />
      </div>
    </Section>
  );
}

function Triggers({ m, t }: { m: Metrics; t: Messages }) {
  const d = t.dashboard;
  const locale = useLocaleStore((s) => s.locale);
  return (
    <Section title={d.triggers} testId="metrics-triggers">
      <div className="figures">
        <Figure label={d.scheduled} value={m.scheduled_runs_24h} testId="figure-scheduled" />
        <Figure label={d.folder} value={m.folder_triggers_24h} testId="figure-folder" />
        <Figure label={d.webhook} value={m.webhook_triggers_24h} testId="figure-webhook" />
      </div>
      {m.scheduler_metrics.length ? (
        <table className="mini-table" data-testid="metrics-schedules">
          <thead>
            <tr>
              <th>{d.schedule}</th>
              <th>{d.lastFire}</th>
              <th>{d.nextFire}</th>
              <th>{d.fires}</th>
              <th>{d.failures}</th>
            </tr>
          </thead>
          <tbody>
            {m.scheduler_metrics.map((s) => (
              <tr key={s.schedule}>
                <td>{s.name}</td>
                <td>{s.last_fire ? formatTime(s.last_fire, locale) : d.none}</td>
                <td>{s.next_fire ? formatTime(s.next_fire, locale) : d.none}</td>
                <td>{s.fires_24h}</td>
                <td>{s.failures_24h}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

function Security({ m, t }: { m: Metrics; t: Messages }) {
  const d = t.dashboard;
  return (
    <Section title={d.security} testId="metrics-security">
      <div className="figures">
        <Figure label={d.rbacDenied} value={m.rbac_denied_24h} testId="figure-rbac-denied" />
        <Figure label={d.sessions} value={m.user_active_sessions} testId="figure-sessions" />
        <Figure label={d.secretsLookups} value={m.secrets_lookups_24h} testId="figure-secrets-lookups" />
      </div>
      {m.top_denied_permissions.length ? (
        <ul className="plain-list" data-testid="metrics-denied-permissions">
          {m.top_denied_permissions.map((p) => (
            <li key={p.permission}>
              <code>{p.permission}</code> × {p.count}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

function Clusters({ m, t }: { m: Metrics; t: Messages }) {
  const d = t.dashboard;
  return (
    <Section title={d.clusters} testId="metrics-clusters">
      {m.top_failure_clusters_24h.length === 0 ? (
        <p className="muted" data-testid="metrics-no-clusters">
          {d.noClusters}
        </p>
      ) : (
        <table className="mini-table">
          <thead>
            <tr>
              <th>{d.cluster}</th>
              <th>{d.count}</th>
              <th>{d.severity}</th>
              <th>{d.trend}</th>
            </tr>
          </thead>
          <tbody>
            {m.top_failure_clusters_24h.map((c) => (
              <tr key={c.cluster} data-testid="metrics-cluster">
                <td title={c.cluster}>{c.display_name}</td>
                <td>{c.count}</td>
                <td>{c.severity}</td>
                <td>
                  <Sparkline values={c.trend_3d} label={d.trendLabel(c.trend_3d)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="detail">{d.diversity(m.failure_cluster_diversity)}</p>
    </Section>
  );
}
