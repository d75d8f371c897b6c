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

export interface TriggersState {
  /** The trigger opened below its list, with what it did and will do. */
  detail?: TriggerDetail;
  busy?: string;
  actionError?: { key: string; error: ErrorBody };
  /** The schedule form: open for a new schedule (`editing: undefined`) or one by id. */
  form?: { editing?: string; issues: FieldIssues; error?: ErrorBody; saving: boolean };
  open(kind: TriggerKind, id: string | undefined): Promise<void>;
  setEnabled(kind: TriggerKind, id: string, enabled: boolean): Promise<void>;
  editSchedule(id: string | undefined): void;
  closeForm(): void;
  saveSchedule(input: ScheduleInput): Promise<boolean>;
  eventReceived(event: AgentEvent): void;
  reset(): void;
}

const UPDATE = { schedule: 'schedules.update', watcher: 'watchers.update', webhook: 'webhooks.update' } as const;

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
      editSchedule: (id) => set({ form: { editing: id, issues: {}, saving: false } }),
      closeForm: () => set({ form: undefined }),
      async saveSchedule(input) {
        const editing = get().form?.editing;
        set({ form: { editing, issues: {}, saving: true } });
        const r = outcomeOf(editing ? await client.call('schedules.update', { ...input, id: editing }) : await client.call('schedules.create', input));
        if (!r.ok) {
          set({ form: { editing, issues: r.fields, error: r.error, saving: false } });
          return false;
        }
        set({ form: undefined });
        reloadLists();
        await get().open('schedule', r.data.id);
        return true;
      },
      eventReceived(event) {
        const d = get().detail;
        if (d && LIVE[d.kind].includes(event.type)) refresh();
      },
      reset: () => set({ detail: undefined, busy: undefined, actionError: undefined, form: undefined }),
    };
  });
}
