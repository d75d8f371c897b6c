import type { IpcMain } from 'electron';
import { IPC_EVENTS, type EventsMessage } from '../src-shared/contract/ipc';
import { APP_URL } from '../src-main/electron/window-policy';

/** A fake ipcMain with electron's `handle`/`on` shape; calls go through the registered listeners. */
export function fakeIpcMain() {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const listeners = new Map<string, (...args: unknown[]) => void>();
  const ipcMain = {
    handle: (channel: string, fn: (...args: unknown[]) => unknown) => void handlers.set(channel, fn),
    removeHandler: (channel: string) => void handlers.delete(channel),
    on: (channel: string, fn: (...args: unknown[]) => void) => {
      listeners.set(channel, fn);
      return ipcMain;
    },
    removeListener: (channel: string) => {
      listeners.delete(channel);
      return ipcMain;
    },
  };
  return { ipcMain: ipcMain as unknown as IpcMain, handlers, listeners };
}

/** A webContents and its main frame, as electron shapes IpcMainInvokeEvent.sender / senderFrame. */
export function fakeWindow(id: number, url = APP_URL, onSend?: (message: EventsMessage) => void) {
  const sent: EventsMessage[] = [];
  const onDestroyed: (() => void)[] = [];
  let destroyed = false;
  const sender = {
    id,
    send: (channel: string, message: EventsMessage) => {
      if (channel !== IPC_EVENTS) throw new Error(`sent on ${channel}, not ${IPC_EVENTS}`);
      sent.push(message);
      onSend?.(message);
    },
    isDestroyed: () => destroyed,
    once: (name: string, fn: () => void) => {
      if (name === 'destroyed') onDestroyed.push(fn);
      return sender;
    },
  };
  const frame = { url, parent: null as unknown };
  return {
    id,
    sent,
    frame,
    event: { sender, senderFrame: frame },
    destroy() {
      destroyed = true;
      for (const fn of onDestroyed) fn();
    },
  };
}
