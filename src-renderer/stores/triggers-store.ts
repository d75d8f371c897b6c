import type { Input, Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { coalesce } from './coalesce';
import { outcomeOf, type FieldIssues } from './outcome';
import { resultOf } from './query';

export type TriggerKind = 'schedule' | 'watcher' | 'webhook';

export interface TriggerDetail {
  kind: TriggerKind;
  id: string;
  next?: Output<'schedules.next'>;
  fires?: Output<'schedules.history'>['items'];
  events?: Output<'watchers.events'>['items'];
  deliveries?: Output<'webhooks.deliveries'>['items'];
  error?: ErrorBody;
}

export type ScheduleInput = Input<'schedules.create'>;
export type WatcherInput = Input<'watchers.create'>;
export type WebhookInput = Input<'webhooks.create'>;

export interface TriggersState {
  /** The trigger opened below its list, with what it did and will do. */
  detail?: TriggerDetail;
  busy?: string;
  actionError?: { key: string; error: ErrorBody };
  /** The form of a kind of trigger: open for a new one (`editing: undefined`) or one by id. */
  form?: { kind: TriggerKind; editing?: string; issues: FieldIssues; error?: ErrorBody; saving: boolean };
  open(kind: TriggerKind, id: string | undefined): Promise<void>;
  setEnabled(kind: TriggerKind, id: string, enabled: boolean): Promise<void>;
  editSchedule(id: string | undefined): void;
  edit(kind: TriggerKind, id: string | undefined): void;
  closeForm(): void;
  saveSchedule(input: ScheduleInput): Promise<boolean>;
  saveWatcher(input: WatcherInput): Promise<boolean>;
  /** Without `secret` an edit keeps the stored one; a new secret goes to the secrets backend (the core's). */
  saveWebhook(input: WebhookInput): Promise<boolean>;
  eventReceived(event: AgentEvent): void;
  reset(): void;
}

const UPDATE = { schedule: 'schedules.update', watcher: 'watchers.update', webhook: 'webhooks.update' } as const;
const CREATE = { schedule: 'schedules.create', watcher: 'watchers.create', webhook: 'webhooks.create' } as const;

/** The event types after which the opened trigger's detail is read again, by kind. */
const LIVE: Record<TriggerKind, readonly string[]> = {
  schedule: ['schedule.fired', 'schedule.missed', 'config.reloaded'],
  watcher: ['watcher.event', 'watcher.changed', 'config.reloaded'],
  webhook: ['webhook.received', 'config.reloaded'],
};

/**
 * The Triggers view's own state beside its three lists (list-store): the opened schedule's next
 * times and fires, a watcher's events, a webhook's deliveries, read again (coalesced) on the live
 * events of that kind; enable/disable; the schedule form with the core's problems by field.
 */
export function createTriggersStore(client: AgentClient, reloadLists: () => void) {
  return createStore<TriggersState>()((set, get) => {
    const readDetail = async () => {
      const d = get().detail;
      if (!d) return;
      const { kind, id } = d;
      let next: TriggerDetail;
      if (kind === 'schedule') {
        const [n, h] = await Promise.all([client.call('schedules.next', { id, count: 10 }), client.call('schedules.history', { id, limit: 20 })]);
        const rn = resultOf(n);
        const rh = resultOf(h);
        next = { kind, id, next: rn.data, fires: rh.data?.items, error: rn.error ?? rh.error };
      } else if (kind === 'watcher') {
        const r = resultOf(await client.call('watchers.events', { id, limit: 20 }));
        next = { kind, id, events: r.data?.items, error: r.error };
      } else {
        const r = resultOf(await client.call('webhooks.deliveries', { id, limit: 20 }));
        next = { kind, id, deliveries: r.data?.items, error: r.error };
      }
      const now = get().detail;
      if (now?.kind === kind && now.id === id) set({ detail: next });
    };
    const refresh = coalesce(readDetail);
    /** Create or update; the core's refusals are kept by field for the form to show. */
    const save = async (kind: TriggerKind, input: { id: string }): Promise<boolean> => {
      const editing = get().form?.editing;
      set({ form: { kind, editing, issues: {}, saving: true } });
      const r = outcomeOf(editing ? await client.call(UPDATE[kind], { ...input, id: editing } as never) : await client.call(CREATE[kind], input as never));
      if (!r.ok) {
        set({ form: { kind, editing, issues: r.fields, error: r.error, saving: false } });
        return false;
      }
      set({ form: undefined });
      reloadLists();
      await get().open(kind, (r.data as { id: string }).id);
      return true;
    };
    return {
      async open(kind, id) {
        if (id === undefined || (get().detail?.kind === kind && get().detail?.id === id)) return set({ detail: undefined });
        set({ detail: { kind, id } });
        await readDetail();
      },
      async setEnabled(kind, id, enabled) {
        const key = `${kind}:${id}`;
        set({ busy: key, actionError: undefined });
        const r = outcomeOf(await client.call(UPDATE[kind], { id, enabled }));
        set({ busy: undefined, actionError: r.ok ? undefined : { key, error: r.error } });
        reloadLists();
        if (get().detail?.id === id) refresh();
      },
      editSchedule: (id) => get().edit('schedule', id),
      edit: (kind, id) => set({ form: { kind, editing: id, issues: {}, saving: false } }),
      closeForm: () => set({ form: undefined }),
      saveSchedule: (input) => save('schedule', input),
      saveWatcher: (input) => save('watcher', input),
      saveWebhook: (input) => save('webhook', input),
      eventReceived(event) {
        const d = get().detail;
        if (d && LIVE[d.kind].includes(event.type)) refresh();
      },
      reset: () => set({ detail: undefined, busy: undefined, actionError: undefined, form: undefined }),
    };
  });
}
