import { useCallback, useEffect, useMemo } from 'react';
import { ErrorNotice } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { VirtualList } from '../../components/virtual-list';
import { useMessages } from '../../i18n/use-messages';
import { useLocaleStore, useRunDetailStore, useRunsStore } from '../../stores/app-stores';
import { NO_RUN_FILTERS, RUN_STATUSES, type RunSummary } from '../../stores/runs-store';
import { RunDetailPanel } from './run-detail';
import { elapsedMs, formatDuration, runHash } from './run-format';
import { useHashId } from '../../components/use-hash-view';

export const RUN_ROW_HEIGHT = 34;

/** Runs (read_runs): filters, a windowed list of thousands of runs kept current by events, and one run's details. */
export function RunsView() {
  const t = useMessages();
  const status = useRunsStore((s) => s.status);
  const error = useRunsStore((s) => s.error);
  const items = useRunsStore((s) => s.items);
  const filtered = useRunsStore((s) => Object.values(s.filters).some((v) => v !== ''));
  const nextCursor = useRunsStore((s) => s.nextCursor);
  const more = useRunsStore((s) => s.more);
  const load = useRunsStore((s) => s.load);
  const loadMore = useRunsStore((s) => s.loadMore);
  const watch = useRunsStore((s) => s.watch);
  const selected = useHashId('runs');
  const open = useRunDetailStore((s) => s.open);
  const close = useRunDetailStore((s) => s.close);

  useEffect(() => {
    void load();
    return watch();
  }, [load, watch]);
  // The detail follows the route; leaving the view closes it (no reads for a run no one sees).
  useEffect(() => {
    if (!selected) return;
    void open(selected);
    return close;
  }, [selected, open, close]);

  return (
    <>
      <h2>{t.runs.title}</h2>
      <RunFilters items={items} />
      <section className="panel wide" data-testid="runs-panel" data-state={status}>
        <h3>
          {t.runs.title}
          {status === 'ready' ? (
            <>
              {' '}
              <span className="count" data-testid="runs-count">
                {t.runs.shown(items.length)}
              </span>
            </>
          ) : null}
        </h3>
        {status !== 'ready' ? (
          <QueryMessage status={status} error={error} binding="GET /api/runs" onReload={() => void load()} />
        ) : items.length === 0 ? (
          <p className="notice" data-testid="runs-empty">
            {filtered ? t.runs.empty : t.runs.none}
          </p>
        ) : (
          <>
            <RunsTable items={items} selected={selected} />
            <div className="list-footer">
              {nextCursor ? (
                <button type="button" onClick={() => void loadMore()} disabled={more.loading} data-testid="runs-load-more">
                  {more.loading ? t.state.loading : t.runs.loadMore}
                </button>
              ) : (
                <span className="muted" data-testid="runs-end">
                  {t.runs.end}
                </span>
              )}
            </div>
            <ErrorNotice title={t.runs.loadMoreFailed} error={more.error} testId="runs-more-error" />
          </>
        )}
      </section>
      {selected ? <RunDetailPanel onClose={() => (window.location.hash = runHash())} /> : null}
    </>
  );
}

function RunFilters({ items }: { items: RunSummary[] }) {
  const t = useMessages();
  const filters = useRunsStore((s) => s.filters);
  const changed = useRunsStore((s) => s.filtersChanged);
  // Suggestions from the runs already read (the queues and templates people actually use).
  const [queues, templates] = useMemo(() => {
    const q = new Set<string>();
    const tp = new Set<string>();
    for (const r of items) {
      q.add(r.queue);
      tp.add(r.template);
    }
    return [[...q].sort(), [...tp].sort()];
  }, [items]);
  return (
    <section className="panel wide" data-testid="runs-filters">
      <h3>{t.runs.filters}</h3>
      <div className="form inline">
        <label className="field">
          <span className="field-label">{t.runs.status}</span>
          <select value={filters.status} onChange={(e) => changed({ status: e.target.value as typeof filters.status })} data-testid="runs-filter-status">
            <option value="">{t.runs.any}</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t.runs.statuses[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t.runs.queue}</span>
          <input value={filters.queue} list="runs-queues" onChange={(e) => changed({ queue: e.target.value })} data-testid="runs-filter-queue" />
          <datalist id="runs-queues">
            {queues.map((q) => (
              <option key={q} value={q} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span className="field-label">{t.runs.template}</span>
          <input value={filters.template} list="runs-templates" onChange={(e) => changed({ template: e.target.value })} data-testid="runs-filter-template" />
          <datalist id="runs-templates">
            {templates.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
        </label>
        <button type="button" onClick={() => changed(NO_RUN_FILTERS)} data-testid="runs-filter-clear">
          {t.runs.clear}
        </button>
      </div>
    </section>
  );
}

/** A run's status as a coloured pill. */
export function RunStatusPill({ status, testId }: { status: RunSummary['status']; testId?: string }) {
  const t = useMessages();
  return (
    <span className={`pill run-${status}`} data-testid={testId} data-status={status}>
      {t.runs.statuses[status]}
    </span>
  );
}

function RunsTable({ items, selected }: { items: RunSummary[]; selected?: string }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const heightOf = useCallback(() => RUN_ROW_HEIGHT, []);
  return (
    <VirtualList
      count={items.length}
      heightOf={heightOf}
      rowKey={(i) => items[i]!.id}
      columns={[t.runs.status, t.runs.template, t.runs.queue, t.runs.priority, t.runs.attempts, t.runs.created, t.runs.duration, t.runs.id]}
      gridClass="runs-grid"
      label={t.runs.title}
      testId="runs-table"
      className="runs-list"
      renderRow={(i) => {
        const r = items[i]!;
        return (
          <a
            href={runHash(r.id)}
            className="runs-grid run-link"
            aria-current={r.id === selected ? 'true' : undefined}
            title={t.runs.open(r.id)}
            data-testid="run-row"
            data-run-id={r.id}
            data-status={r.status}
            data-template={r.template}
          >
            <span role="cell">
              <RunStatusPill status={r.status} />
            </span>
            <span role="cell" title={r.template}>
              {r.template}
            </span>
            <span role="cell" className="mono" title={r.queue}>
              {r.queue}
            </span>
            <span role="cell" className="num">
              {r.priority}
            </span>
            <span role="cell" className="num">
              {r.attempts}
            </span>
            <span role="cell" title={r.created_at}>
              {formatTime(r.created_at, locale)}
            </span>
            <span role="cell">{r.finished_at ? formatDuration(elapsedMs(r.started_at, r.finished_at, 0), t) : t.values.none}</span>
            <span role="cell" className="mono" title={r.id}>
              {r.id}
            </span>
          </a>
        );
      }}
    />
  );
}
