import type { Notification as ElectronNotification, NotificationConstructorOptions } from 'electron';
import type { Locale } from '@shared/i18n';
import type { DeskBadge, DeskNotice, NoticeAction, NoticeDisplay } from '../core/notices/desk-notices';
import { noticeInWords } from '../core/notices/notice-words';

/** Electron's Notification class, as much of it as the display uses. */
export interface NoticeNotificationClass {
  new (options: NotificationConstructorOptions): Pick<ElectronNotification, 'on' | 'show' | 'close'>;
  isSupported(): boolean;
}

export interface NoticeDisplayDeps {
  /** The desktop's language: the notice's codes are said in it. */
  locale: Locale;
  Notification: NoticeNotificationClass;
  /** app.setBadgeCount (macOS dock, Unity launchers); false where the desktop has no badge. */
  setBadgeCount(count: number): boolean;
  /** The tray shows the badge's tooltip and items (tray.ts). */
  badgeChanged(badge: DeskBadge): void;
  /** A click or a button: the core's DeskNotices.click decides what it does. */
  clicked(id: string, action: NoticeAction): void;
  /** Where notifications cannot be shown (some Linux sessions) the notice goes to the log. */
  log(notice: DeskNotice): void;
}

/**
 * The desktop side of DeskNotices: a native notification per notice (a newer one with the same
 * id replaces the older), withdrawn with `close()`; the app badge and the tray from the count.
 * It decides nothing: what to show whom is the core's; it only puts the core's codes into words.
 */
export function createNoticeDisplay(deps: NoticeDisplayDeps): NoticeDisplay & { showing(): string[] } {
  // Electron drops the handlers of a notification that was garbage-collected: keep each one while it is up.
  const shown = new Map<string, Pick<ElectronNotification, 'on' | 'show' | 'close'>>();
  const withdraw = (id: string) => {
    const note = shown.get(id);
    shown.delete(id);
    note?.close();
  };
  return {
    show(notice) {
      withdraw(notice.id);
      if (!deps.Notification.isSupported()) return deps.log(notice);
      const words = noticeInWords(notice, deps.locale);
      const note = new deps.Notification({
        title: words.title,
        body: words.body,
        silent: notice.kind === 'reminder',
        // Buttons where the desktop has them (macOS); the click itself opens.
        actions: words.actions.filter((a) => a.action !== 'open').map((a) => ({ type: 'button' as const, text: a.label })),
      });
      const buttons = notice.actions.filter((a) => a.action !== 'open');
      note.on('click', () => deps.clicked(notice.id, 'open'));
      note.on('action', (_event, index) => deps.clicked(notice.id, buttons[index]?.action ?? 'open'));
      note.on('close', () => {
        if (shown.get(notice.id) === note) shown.delete(notice.id);
      });
      shown.set(notice.id, note);
      note.show();
    },
    withdraw,
    badge(badge) {
      deps.setBadgeCount(badge.count);
      deps.badgeChanged(badge);
    },
    showing: () => [...shown.keys()],
  };
}
