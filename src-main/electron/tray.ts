import type { MenuItemConstructorOptions } from 'electron';
import type { HostStatus } from '../core/system/system-module';

const TEXTS = {
  ja: { open: 'Desktop Agent を開く', quit: '終了', api: 'ローカル API', apiError: 'ローカル API を開始できません' },
  en: { open: 'Open Desktop Agent', quit: 'Quit', api: 'Loopback API', apiError: 'Loopback API could not start' },
} as const;

export type TrayLocale = keyof typeof TEXTS;

export function trayLocale(appLocale: string): TrayLocale {
  return appLocale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** One line on the loopback API: its address, or why it did not start (SPEC section 1). */
export function apiLine(api: HostStatus['api'], locale: TrayLocale): string | undefined {
  if (!api) return undefined;
  const t = TEXTS[locale];
  return api.error ? `${t.apiError}: ${api.error}` : `${t.api}: ${api.url}`;
}

/** The tray menu: open the window, the API's state, quit. */
export function trayMenuTemplate(locale: TrayLocale, api: HostStatus['api'], actions: { open(): void; quit(): void }): MenuItemConstructorOptions[] {
  const t = TEXTS[locale];
  const line = apiLine(api, locale);
  return [
    { label: t.open, click: actions.open },
    ...(line ? [{ type: 'separator' as const }, { label: line, enabled: false }] : []),
    { type: 'separator' },
    { label: t.quit, click: actions.quit },
  ];
}

export function trayTooltip(api: HostStatus['api'], locale: TrayLocale): string {
  const line = apiLine(api, locale);
  return line && api?.error ? `Desktop Agent — ${line}` : 'Desktop Agent';
}

export interface TrayDeps {
  Tray: typeof import('electron').Tray;
  Menu: Pick<typeof import('electron').Menu, 'buildFromTemplate'>;
  icon: string;
  locale: TrayLocale;
  api: () => HostStatus['api'];
  open(): void;
  quit(): void;
}

/** The tray icon (assets/tray.png); a click opens the window. */
export function createTray(deps: TrayDeps) {
  const tray = new deps.Tray(deps.icon);
  const refresh = () => {
    tray.setToolTip(trayTooltip(deps.api(), deps.locale));
    tray.setContextMenu(deps.Menu.buildFromTemplate(trayMenuTemplate(deps.locale, deps.api(), { open: deps.open, quit: deps.quit })));
  };
  tray.on('click', deps.open);
  refresh();
  return { tray, refresh };
}
