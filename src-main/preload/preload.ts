import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENTS, IPC_INVOKE, type AgentApi, type EventsMessage, type EventsRequest } from '@shared/contract/ipc';

/**
 * The page's only door to main: `window.agent.invoke/subscribe` for contract procedures and
 * events. Main checks the sender, the principal and the input of every call; nothing of
 * Electron or Node (not even the IPC event object) reaches the page.
 */
const listeners = new Set<(message: EventsMessage) => void>();

ipcRenderer.on(IPC_EVENTS, (_event: IpcRendererEvent, message: EventsMessage) => {
  for (const listener of listeners) listener(message);
});

const request = (subscribe: boolean) => ipcRenderer.send(IPC_EVENTS, { subscribe } satisfies EventsRequest);

const api: AgentApi = {
  invoke: (name, input) => ipcRenderer.invoke(IPC_INVOKE, name, input),
  subscribe(listener) {
    listeners.add(listener);
    request(true);
    return () => {
      if (listeners.delete(listener) && listeners.size === 0) request(false);
    };
  },
};

contextBridge.exposeInMainWorld('agent', api);
