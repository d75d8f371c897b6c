import type { Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { outcomeOf } from './outcome';
import { coalesce } from './coalesce';
import { resultOf, type QueryStatus } from './query';

export type QueueView = Output<'queues.list'>['items'][number];

export interface QueuesState {
  status: QueryStatus;
  items: QueueView[];
  error?: ErrorBody;
  /** The queue whose pause or resume is in flight. */
  busyName?: string;
  actionError?: { name: string; error: ErrorBody };
  load(): Promise<void>;
  pause(name: string): Promise<boolean>;
  resume(name: string): Promise<boolean>;
  eventReceived(event: AgentEvent): void;
  /** The list is on screen until the returned function is called (the view reads afresh when it opens). */
  watch(): () => void;
  reset(): void;
}

/** Queues with depth, running, limits and paused (`queues.list`), kept current by queue and run events. */
export function createQueuesStore(client: AgentClient) {
  return createStore<QueuesState>()((set, get) => {
    const initial = () => ({ status: (client.has('queues.list') ? 'loading' : 'unavailable') as QueryStatus, items: [], error: undefined, busyName: undefined, actionError: undefined });
    const load = async () => {
      const r = resultOf(await client.call('queues.list', {}));
      set(r.status === 'ready' ? { status: 'ready', items: r.data!.items, error: undefined } : { status: r.status, items: [], error: r.error });
    };
    const refreshSoon = coalesce(load);
    let watchers = 0;
    const change = async (verb: 'pause' | 'resume', name: string) => {
      set({ busyName: name, actionError: undefined });
      const r = outcomeOf(await client.call(verb === 'pause' ? 'queues.pause' : 'queues.resume', { name }));
      set({ busyName: undefined, actionError: r.ok ? undefined : { name, error: r.error } });
      await load();
      return r.ok;
    };
    return {
      ...initial(),
      load,
      pause: (name) => change('pause', name),
      resume: (name) => change('resume', name),
      eventReceived(event) {
        // Depth and running change with every run event; only a list on screen is kept current.
        if (watchers > 0 && get().status === 'ready' && (event.type.startsWith('queue.') || event.type.startsWith('run.'))) refreshSoon();
      },
      watch() {
        watchers++;
        return () => void watchers--;
      },
      reset: () => set(initial()),
    };
  });
}
