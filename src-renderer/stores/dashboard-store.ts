import type { Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { debounce, resultOf, type QueryStatus } from './query';

export type SystemStatus = Output<'system.status'>;

export interface DashboardState {
  status: QueryStatus;
  system?: SystemStatus;
  error?: ErrorBody;
  load(): Promise<void>;
  eventReceived(event: AgentEvent): void;
  /** Forgets what was shown (the user signed out; the next one reads afresh). */
  reset(): void;
}

/** `system.status` for the Dashboard's status panel; read again when a config file is (re)loaded or rejected. */
export function createDashboardStore(client: AgentClient) {
  return createStore<DashboardState>()((set) => {
    const load = async () => {
      const r = resultOf(await client.call('system.status', {}));
      set({ status: r.status, system: r.data, error: r.error });
    };
    const refresh = debounce(() => void load(), 250);
    const initial = (): QueryStatus => (client.has('system.status') ? 'loading' : 'unavailable');
    return {
      status: initial(),
      load,
      reset: () => set({ status: initial(), system: undefined, error: undefined }),
      eventReceived(event) {
        if (event.type.startsWith('config.')) refresh();
      },
    };
  });
}
