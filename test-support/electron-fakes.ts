import type { IpcMain, NotificationConstructorOptions } from 'electron';
import type { NoticeNotificationClass } from '../src-main/electron/notice-display';
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

/** Electron's Notification class: records each notification, its options, show/close, and fires its events. */
export function fakeNotificationClass(supported = true) {
  type Handler = (...args: unknown[]) => void;
  const created: { options: NotificationConstructorOptions; shown: boolean; closed: boolean; fire(name: string, ...args: unknown[]): void }[] = [];
  class FakeNotification {
    private readonly handlers = new Map<string, Handler>();
    private readonly record: (typeof created)[number];
    constructor(options: NotificationConstructorOptions) {
      this.record = { options, shown: false, closed: false, fire: (name, ...args) => this.handlers.get(name)?.(...args) };
      created.push(this.record);
    }
    static isSupported() {
      return supported;
    }
    on(name: string, fn: Handler) {
      this.handlers.set(name, fn);
      return this;
    }
    show() {
      this.record.shown = true;
    }
    close() {
      this.record.closed = true;
      this.handlers.get('close')?.();
    }
  }
  return { Notification: FakeNotification as unknown as NoticeNotificationClass, created };
}
