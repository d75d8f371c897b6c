import { useCallback, useEffect, useState } from 'react';
import { CONTRACT } from '@shared/contract';
import { ErrorNotice } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { VirtualList } from '../../components/virtual-list';
import { useMessages } from '../../i18n/use-messages';
import { useAuditStore, useLocaleStore } from '../../stores/app-stores';
import { AUDIT_RESULTS, NO_FILTERS, SINCE_SPANS, actionFamilies, type AuditEntry, type SinceChoice } from '../../stores/audit-store';
import { auditRowHeight, detailsText } from './audit-layout';

/** Exact procedure names and their families (`auth.`), as suggestions for the action filter. */
const ACTION_SUGGESTIONS = [...actionFamilies(Object.keys(CONTRACT)), ...Object.keys(CONTRACT).sort()];

/** The audit log (view_audit_log): filters, a windowed table of thousands of rows, and "load more". */
export function AuditView() {
  const t = useMessages();
  const status = useAuditStore((s) => s.status);
  const error = useAuditStore((s) => s.error);
  const items = useAuditStore((s) => s.items);
  const nextCursor = useAuditStore((s) => s.nextCursor);
  const more = useAuditStore((s) => s.more);
  const load = useAuditStore((s) => s.load);
  const loadMore = useAuditStore((s) => s.loadMore);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <h2>{t.audit.title}</h2>
      <AuditFilters />
      <section className="panel wide" data-testid="audit-panel" data-state={status}>
        <h3>
          {t.audit.title}
          {status === 'ready' ? (
            <>
              {' '}
              <span className="count" data-testid="audit-count">
                {t.audit.shown(items.length)}
              </span>
            </>
          ) : null}
        </h3>
        {status !== 'ready' ? (
          <QueryMessage status={status} error={error} binding="GET /api/admin/audit" onReload={() => void load()} />
        ) : items.length === 0 ? (
          <p className="notice" data-testid="audit-empty">
            {t.audit.empty}
          </p>
        ) : (
          <>
            <AuditTable items={items} />
            <div className="list-footer">
              {nextCursor ? (
                <button type="button" onClick={() => void loadMore()} disabled={more.loading} data-testid="audit-load-more">
                  {more.loading ? t.state.loading : t.audit.loadMore}
                </button>
              ) : (
                <span className="muted" data-testid="audit-end">
                  {t.audit.end}
                </span>
              )}
            </div>
            <ErrorNotice title={t.audit.loadMoreFailed} error={more.error} testId="audit-more-error" />
          </>
        )}
      </section>
    </>
  );
}

function AuditFilters() {
  const t = useMessages();
  const filters = useAuditStore((s) => s.filters);
  const changed = useAuditStore((s) => s.filtersChanged);
  return (
    <section className="panel wide" data-testid="audit-filters">
      <h3>{t.audit.filters}</h3>
      <div className="form inline">
        <label className="field">
          <span className="field-label">{t.audit.action}</span>
          <input value={filters.action} list="audit-actions" placeholder="auth." onChange={(e) => changed({ action: e.target.value })} data-testid="audit-filter-action" />
          <span className="field-hint">{t.audit.actionHint}</span>
          <datalist id="audit-actions">
            {ACTION_SUGGESTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span className="field-label">{t.audit.user}</span>
          <input value={filters.user} onChange={(e) => changed({ user: e.target.value })} data-testid="audit-filter-user" />
        </label>
        <label className="field">
          <span className="field-label">{t.audit.result}</span>
          <select value={filters.result} onChange={(e) => changed({ result: e.target.value as typeof filters.result })} data-testid="audit-filter-result">
            <option value="">{t.audit.any}</option>
            {AUDIT_RESULTS.map((r) => (
              <option key={r} value={r}>
                {t.audit.results[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t.audit.since}</span>
          <select value={filters.since} onChange={(e) => changed({ since: e.target.value as SinceChoice })} data-testid="audit-filter-since">
            <option value="">{t.audit.any}</option>
            {SINCE_SPANS.map((s) => (
              <option key={s} value={s}>
                {t.audit.sinceOptions[s]}
              </option>
            ))}
            <option value="date">{t.audit.sinceOptions.date}</option>
          </select>
        </label>
        {filters.since === 'date' ? (
          <label className="field">
            <span className="field-label">{t.audit.date}</span>
            <input type="date" value={filters.date} onChange={(e) => changed({ date: e.target.value })} data-testid="audit-filter-date" />
          </label>
        ) : null}
        <button type="button" onClick={() => changed(NO_FILTERS)} data-testid="audit-filter-clear">
          {t.audit.clear}
        </button>
      </div>
    </section>
  );
}

function AuditTable({ items }: { items: AuditEntry[] }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const toggle = (id: number) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const heightOf = useCallback((i: number) => auditRowHeight(items[i]!.details, expanded.has(items[i]!.id)), [items, expanded]);


  return (
    <VirtualList
      count={items.length}
      heightOf={heightOf}
      rowKey={(i) => items[i]!.id}
      columns={[t.audit.time, t.audit.user, t.audit.action, t.audit.permission, t.audit.resource, t.audit.result, t.audit.source, t.audit.details]}
      gridClass="audit-grid"
      label={t.audit.title}
      testId="audit-table"
      className="audit-list"
      renderRow={(i) => {
        const e = items[i]!;
        const open = expanded.has(e.id);
        return (
          <div className="audit-entry" data-testid="audit-row" data-action={e.action} data-result={e.result} data-user={e.user ?? ''}>
            <div className="audit-grid">
              <span role="cell" title={e.time}>
                {formatTime(e.time, locale)}
              </span>
              <span role="cell" title={e.user ?? ''}>
                {e.user ?? t.common.never}
              </span>
              <span role="cell" className="mono" title={e.action}>
                {e.action}
              </span>
              <span role="cell" className="mono" title={e.permission ?? ''}>
                {e.permission ?? t.common.never}
              </span>
              <span role="cell" title={e.resource ?? ''}>
                {e.resource ?? t.common.never}
              </span>
              <span role="cell">
                <span className={`result result-${e.result}`} data-testid="audit-result">
                  {t.audit.results[e.result]}
                </span>
              </span>
              <span role="cell" className="mono" title={e.source}>
                {e.source}
              </span>
              <span role="cell">
                {e.details ? (
                  <button type="button" className="link" aria-expanded={open} onClick={() => toggle(e.id)} data-testid="audit-details-toggle">
                    {open ? t.audit.hideDetails : t.audit.showDetails}
                  </button>
                ) : null}
              </span>
            </div>
            {open ? (
              <pre className="audit-details" data-testid="audit-details">
                {detailsText(e.details)}
              </pre>
            ) : null}
          </div>
        );
      }}
    />
  );
}
