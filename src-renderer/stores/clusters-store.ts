import type { Output } from '@shared/contract';
import type { AgentEvent } from '@shared/contract/events';
import type { ErrorBody } from '@shared/contract/errors';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { coalesce } from './coalesce';
import { outcomeOf } from './outcome';
import { resultOf, type QueryStatus } from './query';

export type ClusterItem = Output<'clusters.list'>['items'][number];
export type ClusterDetail = Output<'clusters.get'>;

export interface ClustersState {
  status: QueryStatus;
  items: ClusterItem[];
  error?: ErrorBody;
  days: number;
  /** The cluster opened below the list, and its occurrences. */
  openId?: string;
  detail?: ClusterDetail;
  detailError?: ErrorBody;
  busyId?: string;
  actionError?: { id: string; error: ErrorBody };
  load(): Promise<void>;
  daysChanged(days: number): Promise<void>;
  open(id: string | undefined): Promise<void>;
  resolve(id: string): Promise<void>;
  eventReceived(event: AgentEvent): void;
  reset(): void;
}

/**
 * Failure clusters (SPEC section 10): the clusters of the last days, most occurrences first, read
 * again (coalesced) on `cluster.updated`; one cluster opened with its occurrences; resolve.
 */
export function createClustersStore(client: AgentClient) {
  return createStore<ClustersState>()((set, get) => {
    const initial = () => ({
      status: (client.has('clusters.list') ? 'loading' : 'unavailable') as QueryStatus,
      items: [] as ClusterItem[],
      error: undefined,
      days: 7,
      openId: undefined,
      detail: undefined,
      detailError: undefined,
      busyId: undefined,
      actionError: undefined,
    });
    const loadDetail = async () => {
      const id = get().openId;
      if (!id) return;
      const r = resultOf(await client.call('clusters.get', { id, days: get().days }));
      if (get().openId === id) set(r.status === 'ready' ? { detail: r.data, detailError: undefined } : { detail: undefined, detailError: r.error });
    };
    const load = async () => {
      if (!client.has('clusters.list')) return;
      const r = resultOf(await client.call('clusters.list', { days: get().days }));
      set(r.status === 'ready' ? { status: 'ready', items: r.data!.items, error: undefined } : { status: r.status, items: [], error: r.error });
      await loadDetail();
    };
    const refresh = coalesce(load);
    return {
      ...initial(),
      load,
      async daysChanged(days) {
        set({ days });
        await load();
      },
      async open(id) {
        set({ openId: id, detail: undefined, detailError: undefined });
        await loadDetail();
      },
      async resolve(id) {
        set({ busyId: id, actionError: undefined });
        const r = outcomeOf(await client.call('clusters.resolve', { id }));
        set({ busyId: undefined, actionError: r.ok ? undefined : { id, error: r.error } });
        await load();
      },
      eventReceived(event) {
        if (event.type === 'cluster.updated') refresh();
      },
      reset: () => set(initial()),
    };
  });
}
