import { formatTime } from '../../components/format';
import { Table } from '../../components/table';
import { useMessages } from '../../i18n/use-messages';
import { useLocaleStore, useTriggerDetailStore } from '../../stores/app-stores';
import type { TriggerKind } from '../../stores/triggers-store';
import { ErrorNotice } from '../../components/form';

const runLink = (id: string | null) => (id ? <a href={`#/runs/${id}`}>{id}</a> : null);

/** What the opened trigger will do and did: next times and fires, file events, or deliveries. */
export function TriggerDetail({ kind, id }: { kind: TriggerKind; id: string }) {
  const t = useMessages().triggers;
  const locale = useLocaleStore((s) => s.locale);
  const detail = useTriggerDetailStore((s) => (s.detail?.kind === kind && s.detail.id === id ? s.detail : undefined));
  if (!detail) return null;
  const time = (iso: string) => formatTime(iso, locale);
  return (
    <div className="trigger-detail" data-testid={`${kind}-detail-${id}`}>
      <ErrorNotice title={t.error} error={detail.error} />
      {detail.next ? (
        <>
          <h4>
            {t.nextTimes} <span className="muted">({detail.next.zone})</span>
          </h4>
          <ol className="next-times" data-testid="schedule-next-times">
            {detail.next.items.map((iso) => (
              <li key={iso} data-time={iso}>
                {time(iso)}
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {detail.fires ? (
        <>
          <h4>{t.fires}</h4>
          {detail.fires.length === 0 ? (
            <p className="muted">{t.noFires}</p>
          ) : (
            <Table testId="schedule-fires" columns={[t.scheduled, t.outcome, t.handled, t.run]}>
              {detail.fires.map((f) => (
                <tr key={f.scheduled_at} data-outcome={f.outcome}>
                  <td>{time(f.scheduled_at)}</td>
                  <td>
                    {t.outcomes[f.outcome] ?? f.outcome} {t.missedTimes(f.count, f.until ? time(f.until) : null)}
                    {f.error ? <span className="muted"> — {f.error}</span> : null}
                  </td>
                  <td>{time(f.handled_at)}</td>
                  <td>{runLink(f.run_id)}</td>
                </tr>
              ))}
            </Table>
          )}
        </>
      ) : null}
      {detail.events ? (
        <>
          <h4>{t.fileEvents}</h4>
          {detail.events.length === 0 ? (
            <p className="muted">{t.noEvents}</p>
          ) : (
            <Table testId="watcher-events" columns={[t.received, t.event, t.file, t.outcome, t.run]}>
              {detail.events.map((e, i) => (
                <tr key={i} data-outcome={e.outcome}>
                  <td>{time(e.at)}</td>
                  <td>{t.watchEvents[e.event] ?? e.event}</td>
                  <td className="path">
                    {e.path}
                    {e.from_path ? <span className="muted"> ← {e.from_path}</span> : null}
                  </td>
                  <td>
                    {t.outcomes[e.outcome] ?? e.outcome}
                    {e.error ? <span className="muted"> — {e.error}</span> : null}
                  </td>
                  <td>{runLink(e.run_id)}</td>
                </tr>
              ))}
            </Table>
          )}
        </>
      ) : null}
      {detail.deliveries ? (
        <>
          <h4>{t.deliveries}</h4>
          {detail.deliveries.length === 0 ? (
            <p className="muted">{t.noDeliveries}</p>
          ) : (
            <Table testId="webhook-deliveries" columns={[t.received, t.status, t.run, t.error]}>
              {detail.deliveries.map((d, i) => (
                <tr key={i} data-status={d.status}>
                  <td>{time(d.received_at)}</td>
                  <td className={d.status === 202 ? 'ok' : 'bad'}>{d.status}</td>
                  <td>{runLink(d.run_id)}</td>
                  <td>{d.error ?? ''}</td>
                </tr>
              ))}
            </Table>
          )}
        </>
      ) : null}
    </div>
  );
}
