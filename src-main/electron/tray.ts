import type { MenuItemConstructorOptions } from 'electron';
import type { HostStatus } from '../core/system/system-module';
import type { DeskBadge, NoticeAction } from '../core/notices/desk-notices';
import { messagesFor, systemLocale, translate, type Locale } from '@shared/i18n';

export type TrayLocale = Locale;

/** The tray's language from the desktop's locale (app.getLocale()). */
export const trayLocale = systemLocale;

/** One line on the loopback API: its address, or why it did not start (SPEC section 1). */
export function apiLine(api: HostStatus['api'], locale: TrayLocale): string | undefined {
  if (!api) return undefined;
  const t = messagesFor(locale).tray;
  return api.error ? t.apiError(api.error) : t.api(api.url ?? '—');
}

export interface TrayActions {
  open(): void;
  quit(): void;
  /** A pending approval chosen in the menu: open its dialog, or approve it (through the dispatcher). */
  approval?(approvalId: string, action: NoticeAction): void;
  /** The start-at-login option (app.getLoginItemSettings / setLoginItemSettings). */
  startAtLogin?: { checked(): boolean; set(on: boolean): void };
}

/** The approvals the signed-in user may decide, each with Open and Approve. */
function approvalItems(locale: TrayLocale, badge: DeskBadge | undefined, actions: TrayActions): MenuItemConstructorOptions[] {
  if (!badge?.count || !actions.approval) return [];
  const t = messagesFor(locale).notice;
  const choose = actions.approval;
  return [
    { type: 'separator' },
    { label: translate(locale, badge.header), enabled: false },
    ...badge.items.map((item) => ({
      label: translate(locale, item.label),
      submenu: [
        { label: t.open, click: () => choose(item.approvalId, 'open') },
        { label: t.approve, click: () => choose(item.approvalId, 'approve') },
      ],
    })),
  ];
}

/** The tray menu: open the window, the approvals waiting for the user, the API's state, quit. */
export function trayMenuTemplate(locale: TrayLocale, api: HostStatus['api'], actions: TrayActions, badge?: DeskBadge): MenuItemConstructorOptions[] {
  const t = messagesFor(locale).tray;
  const line = apiLine(api, locale);
  return [
    { label: t.openApp, click: actions.open },
    ...approvalItems(locale, badge, actions),
    ...(line ? [{ type: 'separator' as const }, { label: line, enabled: false }] : []),
    { type: 'separator' },
    ...(actions.startAtLogin ? [loginItem(t.startAtLogin, actions.startAtLogin)] : []),
    { label: t.quit, click: actions.quit },
  ];
}

function loginItem(label: string, option: NonNullable<TrayActions['startAtLogin']>): MenuItemConstructorOptions {
  const checked = option.checked();
  return { label, type: 'checkbox', checked, click: () => option.set(!checked) };
}

/** The badge's count and, when the API did not start, why. */
export function trayTooltip(api: HostStatus['api'], locale: TrayLocale, badge?: DeskBadge): string {
  const line = apiLine(api, locale);
  const head = badge ? translate(locale, badge.tooltip) : 'Desktop Agent';
  return line && api?.error ? `${head} — ${line}` : head;
}

export interface TrayDeps extends TrayActions {
  Tray: typeof import('electron').Tray;
  Menu: Pick<typeof import('electron').Menu, 'buildFromTemplate'>;
  icon: string;
  locale: TrayLocale;
  api: () => HostStatus['api'];
}

/** The tray icon (assets/tray.png); a click opens the window. `refresh(badge)` shows a new count. */
export function createTray(deps: TrayDeps) {
  const tray = new deps.Tray(deps.icon);
  let badge: DeskBadge | undefined;
  const refresh = (next?: DeskBadge) => {
    if (next) badge = next;
    tray.setToolTip(trayTooltip(deps.api(), deps.locale, badge));
    // macOS shows a count beside the icon; elsewhere the tooltip and the menu say it.
    if (process.platform === 'darwin') tray.setTitle(badge?.count ? String(badge.count) : '');
    tray.setContextMenu(deps.Menu.buildFromTemplate(trayMenuTemplate(deps.locale, deps.api(), deps, badge)));
  };
  tray.on('click', deps.open);
  refresh();
  return { tray, refresh };
}
