import { useEffect } from 'react';
import { ErrorNotice } from '../../components/form';
import { QueryMessage } from '../../components/query-message';
import { useMessages } from '../../i18n/use-messages';
import { can } from '../../stores/auth-store';
import { useAuthStore, useQueuesStore } from '../../stores/app-stores';
import { Table } from '../../components/table';

/** Queues (read_runs): depth, running, limits, paused; pause and resume for roles with pause_queues. Live. */
export function QueuesView() {
  const t = useMessages();
  const status = useQueuesStore((s) => s.status);
  const error = useQueuesStore((s) => s.error);
  const items = useQueuesStore((s) => s.items);
  const busyName = useQueuesStore((s) => s.busyName);
  const actionError = useQueuesStore((s) => s.actionError);
  const load = useQueuesStore((s) => s.load);
  const watch = useQueuesStore((s) => s.watch);
  const pause = useQueuesStore((s) => s.pause);
  const resume = useQueuesStore((s) => s.resume);
  const mayPause = useAuthStore((s) => can(s.me, 'pause_queues'));

  useEffect(() => {
    void load();
    return watch();
  }, [load, watch]);

  return (
    <>
      <h2>{t.queues.title}</h2>
      <section className="panel" data-testid="queues-panel" data-state={status}>
        <h3>
          {t.queues.title}
          {status === 'ready' ? <span className="count"> {t.state.count(items.length)}</span> : null}
        </h3>
        <ErrorNotice title={t.queues.changeFailed(actionError?.name ?? '')} error={actionError?.error} testId="queues-action-error" />
        {status !== 'ready' ? (
          <QueryMessage status={status} error={error} binding="GET /api/queues" onReload={() => void load()} />
        ) : items.length === 0 ? (
          <p className="notice">{t.queues.empty}</p>
        ) : (
          <Table testId="queues-table" columns={[t.queues.name, t.queues.state, t.queues.depth, t.queues.running, t.queues.maxConcurrent, t.queues.maxQueued, mayPause && t.queues.actions]}>
            {items.map((q) => (
              <tr key={q.name} data-testid="queue-row" data-queue={q.name} data-paused={q.paused} aria-busy={busyName === q.name}>
                <td className="mono">{q.name}</td>
                <td>
                  <span className={q.paused ? 'pill off' : 'pill ok'} data-testid="queue-state">
                    {q.paused ? t.queues.paused : t.queues.active}
                  </span>
                </td>
                <td className="num" data-testid="queue-depth">
                  {q.depth}
                </td>
                <td className="num" data-testid="queue-running">
                  {q.running}
                </td>
                <td className="num">{q.max_concurrent}</td>
                <td className="num">{q.max_queued}</td>
                {mayPause ? (
                  <td className="actions">
                    <button
                      type="button"
                      className="small"
                      disabled={busyName === q.name}
                      onClick={() => void (q.paused ? resume(q.name) : pause(q.name))}
                      data-testid={q.paused ? 'queue-resume' : 'queue-pause'}
                    >
                      {q.paused ? t.queues.resume : t.queues.pause}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </Table>
        )}
        {items.some((q) => q.paused) ? <p className="muted">{t.queues.pausedNote}</p> : null}
      </section>
    </>
  );
}
