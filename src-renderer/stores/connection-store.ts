import { createStore } from 'zustand/vanilla';
import type { ErrorBody } from '@shared/contract/errors';
import type { LiveState } from '../bridge';

export interface ConnectionState {
  transport: 'ipc' | 'http';
  state: LiveState;
  error?: ErrorBody;
  liveStateChanged(state: LiveState, error?: ErrorBody): void;
}

/** The live event stream as the header shows it. */
export function createConnectionStore(transport: 'ipc' | 'http') {
  return createStore<ConnectionState>()((set) => ({
    transport,
    state: 'connecting',
    liveStateChanged: (state, error) => set({ state, error }),
  }));
}
