import { createStore } from 'zustand/vanilla';
import type { ErrorBody } from '@shared/contract/errors';
import type { LiveState, Transport } from '@shared/client/agent-client';

export interface ConnectionState {
  transport: Transport['kind'];
  state: LiveState;
  error?: ErrorBody;
  liveStateChanged(state: LiveState, error?: ErrorBody): void;
}

/** The live event stream as the header shows it. */
export function createConnectionStore(transport: Transport['kind']) {
  return createStore<ConnectionState>()((set) => ({
    transport,
    state: 'connecting',
    liveStateChanged: (state, error) => set({ state, error }),
  }));
}
