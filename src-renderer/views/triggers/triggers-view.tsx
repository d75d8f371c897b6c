import { useEffect, useState, type ReactNode } from 'react';
import type { ScheduleView } from '@shared/contract/schedules';
import type { WatcherView } from '@shared/contract/watchers';
import type { WebhookView } from '@shared/contract/webhooks';
import { ErrorNotice } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { Table } from '../../components/table';
import { useMessages } from '../../i18n/use-messages';
import { can } from '../../stores/auth-store';
import { useAuthStore, useDashboardStore, useLocaleStore, useTriggerDetailStore, useTriggersStore } from '../../stores/app-stores';
import type { SectionState } from '../../stores/list-store';
import type { TriggerKind } from '../../stores/triggers-store';
import { cronInWords } from './cron-words';
import { ScheduleForm } from './schedule-form';
import { TriggerDetail } from './trigger-detail';
import { WatcherForm } from './watcher-form';
import { WebhookForm } from './webhook-form';

/**
 * Triggers (SPEC section 6, issue 15): schedules, folder watchers and webhooks with their state,
 * read again on `schedule.*`, `watcher.*`, `webhook.received` and config reloads. A row opens what
 * it will do and did; Editors enable/disable and create or edit schedules, watchers and webhooks.
 */
export function TriggersView() {
  const t = useMessages();
  const sections = useTriggersStore((s) => s.sections);
  const load = useTriggersStore((s) => s.load);
  const actionError = useTriggerDetailStore((s) => s.actionError);
  useEffect(() => {
    void load();
  }, [load]);
  const section = (key: 'schedules' | 'watchers' | 'webhooks') => sections.find((s) => s.key === key)!;
  return (
    <>
      <h2>{t.nav.triggers}</h2>
      <p className="muted">{t.triggers.intro}</p>
      <ErrorNotice title={t.triggers.actionFailed} error={actionError?.error} testId="trigger-action-error" />
      <Schedules section={section('schedules')} reload={() => void load()} />
      <Watchers section={section('watchers')} reload={() => void load()} />
      <Webhooks section={section('webhooks')} reload={() => void load()} />
    </>
  );
}

function SectionFrame({ section, reload, extra, form, children }: { section: SectionState; reload: () => void; extra?: ReactNode; form?: ReactNode; children: ReactNode }) {
  const t = useMessages();
  const texts = t.sections[section.key];
  return (
    <section className="panel wide" data-testid={`section-${section.key}`} data-state={section.status}>
      <h3>
        {texts.title}
        {section.status === 'ready' ? <span className="count"> {t.state.count(section.items.length)}</span> : null} {extra}
      </h3>
      {form}
      {section.status !== 'ready' ? (
        <QueryMessage status={section.status} error={section.error} binding={section.binding} onReload={reload} />
      ) : section.items.length === 0 ? (
        <p className="notice" data-testid={`${section.key}-empty`}>
          {texts.empty}
        </p>
      ) : (
        children
      )}
    </section>
  );
}

/** Enable/disable and open/close, for the roles that may. */
function RowActions({ kind, id, enabled, extra }: { kind: TriggerKind; id: string; enabled: boolean; extra?: ReactNode }) {
  const t = useMessages().triggers;
  const me = useAuthStore((s) => s.me);
  const open = useTriggerDetailStore((s) => s.open);
  const opened = useTriggerDetailStore((s) => s.detail?.kind === kind && s.detail.id === id);
  const busy = useTriggerDetailStore((s) => s.busy === `${kind}:${id}`);
  const setEnabled = useTriggerDetailStore((s) => s.setEnabled);
  return (
    <td className="row-actions">
      <button type="button" onClick={() => void open(kind, id)} data-testid={`${kind}-open-${id}`}>
        {opened ? t.hide : t.details}
      </button>
      {can(me, 'manage_schedules') ? (
        <button type="button" disabled={busy} onClick={() => void setEnabled(kind, id, !enabled)} data-testid={`${kind}-toggle-${id}`}>
          {enabled ? t.disable : t.enable}
        </button>
      ) : null}
      {extra}
    </td>
  );
}

function NewButton({ kind, label }: { kind: TriggerKind; label: string }) {
  const edit = useTriggerDetailStore((s) => s.edit);
  return (
    <button type="button" onClick={() => edit(kind, undefined)} data-testid={`${kind}-new`}>
      {label}
    </button>
  );
}

function EditButton({ kind, id }: { kind: TriggerKind; id: string }) {
  const t = useMessages().triggers;
  const edit = useTriggerDetailStore((s) => s.edit);
  return (
    <button type="button" onClick={() => edit(kind, id)} data-testid={`${kind}-edit-${id}`}>
      {t.edit}
    </button>
  );
}

function NameCell({ name, id }: { name: string; id: string }) {
  return (
    <td>
      <span className="strong">{name}</span> <span className="muted">{id}</span>
    </td>
  );
}

/** A trigger's row and, when it is open, the row below it with its detail. */
function TriggerRows({ kind, id, span, children }: { kind: TriggerKind; id: string; span: number; children: ReactNode }) {
  const opened = useTriggerDetailStore((s) => s.detail?.kind === kind && s.detail.id === id);
  return (
    <>
      <tr data-testid={`${kind}-row-${id}`}>{children}</tr>
      {opened ? (
        <tr className="detail-row">
          <td colSpan={span}>
            <TriggerDetail kind={kind} id={id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function Schedules({ section, reload }: { section: SectionState; reload: () => void }) {
  const t = useMessages().triggers;
  const locale = useLocaleStore((s) => s.locale);
  const me = useAuthStore((s) => s.me);
  const form = useTriggerDetailStore((s) => (s.form?.kind === 'schedule' ? s.form : undefined));
  const items = section.items as unknown as ScheduleView[];
  const editing = form?.editing ? items.find((s) => s.id === form.editing) : undefined;
  const manage = can(me, 'manage_schedules');
  return (
    <SectionFrame
      section={section}
      reload={reload}
      extra={manage && section.status === 'ready' ? <NewButton kind="schedule" label={t.newSchedule} /> : null}
      form={form ? <ScheduleForm key={form.editing ?? '(new)'} current={editing} /> : null}
    >
      <Table testId="table-schedules" columns={[t.name, t.when, t.zone, t.next, t.last, t.missed24h, t.enabled, '']}>
        {items.map((s) => (
          <TriggerRows key={s.id} kind="schedule" id={s.id} span={8}>
            <NameCell name={s.name} id={s.id} />
            <td title={s.cron}>
              {cronInWords(s.cron, t.cron)} <code className="muted">{s.cron}</code>
              {s.problem ? <div className="bad">{s.problem}</div> : null}
            </td>
            <td>{s.zone}</td>
            <td data-testid={`schedule-next-${s.id}`}>{s.next_fire_at ? formatTime(s.next_fire_at, locale) : t.none}</td>
            <td data-testid={`schedule-last-${s.id}`}>{s.last ? `${formatTime(s.last.scheduled_at, locale)} ${t.outcomes[s.last.outcome] ?? s.last.outcome}` : t.none}</td>
            <td className={s.missed_24h ? 'bad' : undefined}>{s.missed_24h}</td>
            <td>{s.enabled ? t.on : t.off}</td>
            <RowActions
              kind="schedule"
              id={s.id}
              enabled={s.enabled}
              extra={
                manage ? <EditButton kind="schedule" id={s.id} /> : null
              }
            />
          </TriggerRows>
        ))}
      </Table>
    </SectionFrame>
  );
}

function Watchers({ section, reload }: { section: SectionState; reload: () => void }) {
  const t = useMessages().triggers;
  const locale = useLocaleStore((s) => s.locale);
  const me = useAuthStore((s) => s.me);
  const form = useTriggerDetailStore((s) => (s.form?.kind === 'watcher' ? s.form : undefined));
  const items = section.items as unknown as WatcherView[];
  const manage = can(me, 'manage_schedules');
  return (
    <SectionFrame
      section={section}
      reload={reload}
      extra={manage && section.status === 'ready' ? <NewButton kind="watcher" label={t.newWatcher} /> : null}
      form={form ? <WatcherForm key={form.editing ?? '(new)'} current={items.find((w) => w.id === form.editing)} /> : null}
    >
      <Table testId="table-watchers" columns={[t.name, t.folder, t.patterns, t.state, t.pending, t.lastEvent, t.enabled, '']}>
        {items.map((w) => (
          <TriggerRows key={w.id} kind="watcher" id={w.id} span={8}>
            <NameCell name={w.name} id={w.id} />
            <td className="path">{w.root}</td>
            <td>
              {w.patterns.join(', ')}
              {w.ignore_patterns.length ? <span className="muted"> − {w.ignore_patterns.join(', ')}</span> : null}
              <div className="muted">{w.events.map((e) => t.watchEvents[e] ?? e).join('・')}</div>
            </td>
            <td data-testid={`watcher-state-${w.id}`} data-state={w.state}>
              {t.states[w.state] ?? w.state}
              {w.polling_reason ? <div className="muted">polling: {w.polling_reason}</div> : null}
              {w.problem ? <div className="bad">{w.problem}</div> : null}
            </td>
            <td>{w.pending}</td>
            <td>{w.last_event ? `${formatTime(w.last_event.at, locale)} ${t.watchEvents[w.last_event.event] ?? w.last_event.event} ${w.last_event.path.split(/[\\/]/).pop()}` : t.none}</td>
            <td>{w.enabled ? t.on : t.off}</td>
            <RowActions kind="watcher" id={w.id} enabled={w.enabled} extra={manage ? <EditButton kind="watcher" id={w.id} /> : null} />
          </TriggerRows>
        ))}
      </Table>
    </SectionFrame>
  );
}

/** The address webhooks are sent to: the API's URL (the desktop app's window is not served over HTTP). */
function useApiBase(): string {
  const url = useDashboardStore((s) => s.system?.api?.url ?? undefined);
  const load = useDashboardStore((s) => s.load);
  const known = useDashboardStore((s) => s.system !== undefined);
  useEffect(() => {
    if (!known) void load();
  }, [known, load]);
  if (url) return url.replace(/\/+$/, '');
  return /^https?:$/.test(window.location.protocol) ? window.location.origin : '';
}

function CopyUrl({ url, id }: { url: string; id: string }) {
  const t = useMessages().triggers;
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-url">
      <input readOnly value={url} onFocus={(e) => e.currentTarget.select()} size={Math.min(60, url.length)} data-testid={`webhook-url-${id}`} />
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard?.writeText(url).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t.copied : t.copy}
      </button>
    </span>
  );
}

function Webhooks({ section, reload }: { section: SectionState; reload: () => void }) {
  const t = useMessages().triggers;
  const locale = useLocaleStore((s) => s.locale);
  const base = useApiBase();
  const me = useAuthStore((s) => s.me);
  const form = useTriggerDetailStore((s) => (s.form?.kind === 'webhook' ? s.form : undefined));
  const items = section.items as unknown as WebhookView[];
  const manage = can(me, 'manage_schedules');
  return (
    <SectionFrame
      section={section}
      reload={reload}
      extra={manage && section.status === 'ready' ? <NewButton kind="webhook" label={t.newWebhook} /> : null}
      form={form ? <WebhookForm key={form.editing ?? '(new)'} current={items.find((w) => w.id === form.editing)} /> : null}
    >
      <Table testId="table-webhooks" columns={[t.name, t.url, t.scheme, t.lastDelivery, t.enabled, '']}>
        {items.map((w) => (
          <TriggerRows key={w.id} kind="webhook" id={w.id} span={6}>
            <NameCell name={w.name} id={w.id} />
            <td>
              <CopyUrl url={`${base}${w.endpoint}`} id={w.id} />
            </td>
            <td>{t.schemes[w.signature] ?? w.signature}</td>
            <td data-testid={`webhook-last-${w.id}`}>{w.last_delivery ? `${formatTime(w.last_delivery.received_at, locale)} — ${w.last_delivery.status}` : t.none}</td>
            <td>{w.enabled ? t.on : t.off}</td>
            <RowActions kind="webhook" id={w.id} enabled={w.enabled} extra={manage ? <EditButton kind="webhook" id={w.id} /> : null} />
          </TriggerRows>
        ))}
      </Table>
    </SectionFrame>
  );
}

