import type { Session, WebContents, WebPreferences } from 'electron';

/**
 * The window's security policy (Electron's security checklist), as functions of electron's own
 * types so they can be tested with objects shaped like them.
 */
export const APP_SCHEME = 'desktop-agent';
export const APP_HOST = 'ui';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The page may load only its own files; it reaches the core over IPC, never over the network. */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** Whether a URL is one of the app's own pages (`desktop-agent://ui/...`). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

type Preventable = { url: string; preventDefault(): void };

/** No navigation away from the app, no new windows, no webviews. */
export function applyWindowPolicy(wc: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  const stayInApp = (event: Preventable) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  };
  wc.on('will-navigate', stayInApp);
  wc.on('will-redirect', stayInApp);
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Every permission (camera, notifications from the page, USB, ...) refused; no network from the page. */
export function applySessionPolicy(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'webRequest'>): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) => callback({ cancel: true }));
}

/** What the IPC adapter knows of a sender: its webContents and the frame that sent. */
export interface IpcSenderInfo {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * IPC is accepted only from the main frame of one of our windows showing our own page: not from
 * a subframe, not from another webContents (devtools, a future helper window), not after a
 * navigation elsewhere.
 */
export function createSenderCheck(windowIds: () => Iterable<number>): (event: IpcSenderInfo) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isAppUrl(frame.url)) return false;
    for (const id of windowIds()) if (id === event.sender.id) return true;
    return false;
  };
}
