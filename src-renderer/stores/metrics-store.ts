import type { Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { coalesce } from './coalesce';
import { resultOf, type QueryStatus } from './query';

export type Metrics = Output<'metrics.get'>;

export interface MetricsState {
  status: QueryStatus;
  metrics?: Metrics;
  error?: ErrorBody;
  load(): Promise<void>;
  eventReceived(event: AgentEvent): void;
  /** The figures are on screen until the returned function is called (read afresh when shown). */
  watch(): () => void;
  reset(): void;
}

const MIN_READ_GAP_MS = 1000;

/** Events after which a figure on the dashboard may have changed. */
const MOVES_FIGURES = /^(run|step|approval|queue|schedule|watcher|webhook|cluster)\./;

/** `metrics.get` for the Dashboard: read when shown, again on events that move a figure (bursts coalesced). */
export function createMetricsStore(client: AgentClient) {
  return createStore<MetricsState>()((set, get) => {
    const initial = () => ({ status: (client.has('metrics.get') ? 'loading' : 'unavailable') as QueryStatus, metrics: undefined, error: undefined });
    const load = async () => {
      const r = resultOf(await client.call('metrics.get', {}));
      set(r.status === 'ready' ? { status: 'ready', metrics: r.data, error: undefined } : { status: r.status, error: r.error });
    };
    // Each read scans the day's runs: while runs flow, read at most once a second (the figures
    // are 24 h windows; a second's lag changes nothing a person reads).
    const refreshSoon = coalesce(async () => {
      await load();
      await new Promise((r) => setTimeout(r, MIN_READ_GAP_MS));
    });
    let watchers = 0;
    return {
      ...initial(),
      load,
      eventReceived(event) {
        if (watchers > 0 && get().status === 'ready' && MOVES_FIGURES.test(event.type)) refreshSoon();
      },
      watch() {
        watchers++;
        return () => void watchers--;
      },
      reset: () => set(initial()),
    };
  });
}
