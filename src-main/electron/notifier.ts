import type { Notification as ElectronNotification, NotificationConstructorOptions, Shell } from 'electron';
import type { Logger, Notifier } from '../core/kernel/ports';

export interface NotificationClass {
  new (options: NotificationConstructorOptions): Pick<ElectronNotification, 'on' | 'show'>;
  isSupported(): boolean;
}

/**
 * The desktop app's Notifier port: native notifications whose click brings the window up, and
 * files opened with the desktop's default application. Without notification support (some Linux
 * sessions) the notice goes to the log, as under `serve`.
 */
export function createElectronNotifier(deps: {
  Notification: NotificationClass;
  shell: Pick<Shell, 'openPath'>;
  showWindow: () => void;
  /** A getter: the notifier is built before the core whose logger it uses. */
  logger: () => Logger;
}): Notifier {
  // Electron drops the click handler of a notification that was garbage-collected: keep each one until it is done.
  const shown = new Set<object>();
  return {
    notify(n) {
      if (!deps.Notification.isSupported()) {
        deps.logger().info(`Notification: ${n.title}`, { body: n.body, action: n.action });
        return;
      }
      const note = new deps.Notification({ title: n.title, body: n.body, silent: false });
      shown.add(note);
      note.on('click', () => {
        shown.delete(note);
        deps.showWindow();
      });
      note.on('close', () => shown.delete(note));
      note.show();
    },
    async openPath(path) {
      const error = await deps.shell.openPath(path);
      if (error) throw new Error(`Cannot open ${path}: ${error}`);
    },
  };
}
