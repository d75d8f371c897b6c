import type { Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '../bridge';
import { debounce, resultOf, type QueryStatus } from './query';

export type SystemStatus = Output<'system.status'>;

export interface DashboardState {
  status: QueryStatus;
  system?: SystemStatus;
  error?: ErrorBody;
  load(): Promise<void>;
  eventReceived(event: AgentEvent): void;
}

/** `system.status` for the Dashboard's status panel; read again when a config file is (re)loaded or rejected. */
export function createDashboardStore(client: AgentClient) {
  return createStore<DashboardState>()((set) => {
    const load = async () => {
      const r = resultOf(await client.call('system.status', {}));
      set({ status: r.status, system: r.data, error: r.error });
    };
    const refresh = debounce(() => void load(), 250);
    return {
      status: client.has('system.status') ? 'loading' : 'unavailable',
      load,
      eventReceived(event) {
        if (event.type.startsWith('config.')) refresh();
      },
    };
  });
}
