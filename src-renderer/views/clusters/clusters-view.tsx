import { useEffect } from 'react';
import { ErrorNotice } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { Table } from '../../components/table';
import { useMessages } from '../../i18n/use-messages';
import { can } from '../../stores/auth-store';
import { useAuthStore, useClustersStore, useLocaleStore } from '../../stores/app-stores';
import type { ClusterItem } from '../../stores/clusters-store';
import { clusterTexts } from './cluster-texts';

const PERIODS = [1, 3, 7, 30] as const;

/** Failure clusters (SPEC section 10): top clusters, live; samples, actions, runs; resolve. */
export function ClustersView() {
  const t = useMessages();
  const status = useClustersStore((s) => s.status);
  const error = useClustersStore((s) => s.error);
  const items = useClustersStore((s) => s.items);
  const days = useClustersStore((s) => s.days);
  const load = useClustersStore((s) => s.load);
  const daysChanged = useClustersStore((s) => s.daysChanged);
  const actionError = useClustersStore((s) => s.actionError);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <h2>{t.failureClusters.title}</h2>
      <section className="panel wide" data-testid="clusters-panel" data-state={status}>
        <p className="muted">{t.failureClusters.intro}</p>
        <label>
          {t.failureClusters.window}{' '}
          <select value={days} onChange={(e) => void daysChanged(Number(e.target.value))} data-testid="clusters-days">
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {t.failureClusters.days(d)}
              </option>
            ))}
          </select>
        </label>
        <ErrorNotice title={t.failureClusters.resolveFailed} error={actionError?.error} testId="cluster-action-error" />
        {status !== 'ready' ? (
          <QueryMessage status={status} error={error} binding="GET /api/failure-clusters" onReload={() => void load()} />
        ) : items.length === 0 ? (
          <p className="notice" data-testid="clusters-empty">
            {t.failureClusters.none}
          </p>
        ) : (
          <ul className="cluster-list">
            {items.map((c) => (
              <ClusterCard key={c.id} cluster={c} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** Three bars, oldest first, scaled to the largest day. */
export function Sparkline({ values, labels }: { values: number[]; labels: readonly string[] }) {
  const max = Math.max(1, ...values);
  return (
    <svg className="sparkline" width="54" height="22" role="img" aria-label={values.map((v, i) => `${labels[i]}: ${v}`).join(', ')} data-testid="cluster-trend" data-values={values.join(',')}>
      {values.map((v, i) => {
        const h = Math.max(1, Math.round((v / max) * 20));
        return <rect key={i} x={i * 18 + 2} y={21 - h} width="14" height={h} className={i === values.length - 1 ? 'today' : undefined} />;
      })}
    </svg>
  );
}

function ClusterCard({ cluster: c }: { cluster: ClusterItem }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const me = useAuthStore((s) => s.me);
  const openId = useClustersStore((s) => s.openId);
  const open = useClustersStore((s) => s.open);
  const resolve = useClustersStore((s) => s.resolve);
  const busyId = useClustersStore((s) => s.busyId);
  const texts = clusterTexts(c, locale);
  const isOpen = openId === c.id;
  return (
    <li className={`cluster risk-${c.severity}`} data-testid="cluster" data-id={c.id} data-resolved={String(c.resolved)}>
      <div className="cluster-head">
        <span className={`risk risk-${c.severity}`} data-testid="cluster-severity">
          {t.failureClusters.severity}: {t.failureClusters.severityNames[c.severity] ?? c.severity}
        </span>
        <strong className="cluster-name" data-testid="cluster-name">
          {texts.name}
        </strong>
        <code className="code">{c.id}</code>
        <span className="count" data-testid="cluster-count" data-count={c.count}>
          {t.failureClusters.occurrences(c.count)}
        </span>
        <Sparkline values={c.trend_3d} labels={t.failureClusters.trendDays} />
        {c.resolved ? (
          <span className="pill" data-testid="cluster-resolved">
            {t.failureClusters.resolved}
          </span>
        ) : null}
      </div>
      <p className="muted">
        {t.failureClusters.spread(c.runs, c.templates, c.steps)} · {t.failureClusters.firstLastSeen(formatTime(c.first_seen, locale), formatTime(c.last_seen, locale))}
        {c.source === 'mined' ? ` · ${t.failureClusters.mined}` : ''}
      </p>
      <h4>{t.failureClusters.samples}</h4>
      <ul className="cluster-samples" data-testid="cluster-samples">
        {c.samples.map((s) => (
          <li key={s} className="pre-line">
            {s}
          </li>
        ))}
      </ul>
      <h4>{t.failureClusters.actions}</h4>
      <ul data-testid="cluster-actions">
        {texts.actions.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
      {c.resolved && c.resolved_at ? <p className="muted">{t.failureClusters.resolvedBy(c.resolved_by, formatTime(c.resolved_at, locale))}</p> : null}
      <div className="actions">
        <button type="button" onClick={() => void open(isOpen ? undefined : c.id)} data-testid="cluster-details">
          {isOpen ? t.failureClusters.hideDetails : t.failureClusters.details}
        </button>
        {!c.resolved && can(me, 'write_runs') ? (
          <button type="button" disabled={busyId === c.id} onClick={() => void resolve(c.id)} data-testid="cluster-resolve">
            {t.failureClusters.resolve}
          </button>
        ) : null}
      </div>
      {isOpen ? <ClusterDetails /> : null}
    </li>
  );
}

function ClusterDetails() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const detail = useClustersStore((s) => s.detail);
  const detailError = useClustersStore((s) => s.detailError);
  if (detailError) return <ErrorNotice title={t.failureClusters.details} error={detailError} testId="cluster-detail-error" />;
  if (!detail) return null;
  return (
    <div className="cluster-details" data-testid="cluster-detail">
      <h4>{t.failureClusters.affectedTemplates}</h4>
      <ul data-testid="cluster-templates">
        {detail.template_counts.map((x) => (
          <li key={x.template}>
            {x.template} ({x.count})
          </li>
        ))}
      </ul>
      <h4>{t.failureClusters.messageTemplates}</h4>
      <ul data-testid="cluster-message-templates">
        {detail.message_template_counts.map((x) => (
          <li key={x.template}>
            <code className="code">{x.template}</code> ({x.count})
          </li>
        ))}
      </ul>
      <h4>{t.failureClusters.occurrencesTitle}</h4>
      <Table testId="cluster-occurrences" columns={[t.failureClusters.at, t.failureClusters.run, t.failureClusters.template, t.failureClusters.step, t.failureClusters.message]}>
        {detail.occurrences.map((o, i) => (
          <tr key={`${o.run_id}-${i}`}>
            <td>{formatTime(o.at, locale)}</td>
            <td>
              <a href={`#/runs/${encodeURIComponent(o.run_id)}`} data-testid="cluster-run-link">
                {o.run_id}
              </a>
            </td>
            <td>{o.template ?? ''}</td>
            <td>{o.step === null ? '' : `${o.step}${o.action ? ` ${o.action}` : ''}`}</td>
            <td className="pre-line">{o.message}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
