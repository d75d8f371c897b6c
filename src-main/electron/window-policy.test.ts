import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { APP_CSP, APP_URL, applySessionPolicy, applyWindowPolicy, createSenderCheck, isAppUrl, secureWebPreferences } from './window-policy';

/** A webContents with electron's `on`/`setWindowOpenHandler` shape that records what is registered. */
function fakeWebContents() {
  const listeners = new Map<string, (event: { url: string; preventDefault(): void }) => void>();
  let openHandler: ((details: { url: string }) => unknown) | undefined;
  const wc = {
    on: (name: string, fn: (event: { url: string; preventDefault(): void }) => void) => {
      listeners.set(name, fn);
      return wc;
    },
    setWindowOpenHandler: (fn: (details: { url: string }) => unknown) => {
      openHandler = fn;
    },
  };
  const fire = (name: string, url: string) => {
    let prevented = false;
    listeners.get(name)!({ url, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { wc: wc as unknown as WebContents, fire, open: (url: string) => openHandler!({ url }) };
}

describe('the window policy', () => {
  it('isolates the page: context isolation, sandbox, no Node, no webview', () => {
    const prefs = secureWebPreferences('/app/out/preload/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it('keeps the page on the app: navigation elsewhere, redirects, new windows and webviews are refused', () => {
    const { wc, fire, open } = fakeWebContents();
    applyWindowPolicy(wc);
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-redirect', 'http://127.0.0.1:8000/')).toBe(true);
    expect(fire('will-navigate', `${APP_URL}#/runs`)).toBe(false);
    expect(fire('will-attach-webview', APP_URL)).toBe(true);
    expect(open('https://example.com/')).toEqual({ action: 'deny' });
    expect(open(APP_URL)).toEqual({ action: 'deny' });
  });

  it('tells app URLs from look-alikes', () => {
    expect(isAppUrl('desktop-agent://ui/index.html')).toBe(true);
    expect(isAppUrl('desktop-agent://ui/assets/index.js')).toBe(true);
    expect(isAppUrl('desktop-agent://other/index.html')).toBe(false);
    expect(isAppUrl('https://ui/index.html')).toBe(false);
    expect(isAppUrl('desktop-agent://ui.evil.example/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('refuses every permission request and check, and network requests from the page', () => {
    const registered: Record<string, unknown> = {};
    let filter: { urls: string[] } | undefined;
    let onRequest: ((d: unknown, cb: (r: { cancel: boolean }) => void) => void) | undefined;
    const session = {
      setPermissionRequestHandler: (fn: unknown) => (registered.request = fn),
      setPermissionCheckHandler: (fn: unknown) => (registered.check = fn),
      setDevicePermissionHandler: (fn: unknown) => (registered.device = fn),
      webRequest: {
        onBeforeRequest: (f: { urls: string[] }, fn: typeof onRequest) => {
          filter = f;
          onRequest = fn;
        },
      },
    };
    applySessionPolicy(session as unknown as Session);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      (registered.request as (wc: unknown, p: string, cb: (g: boolean) => void) => void)({}, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
      expect((registered.check as (wc: unknown, p: string) => boolean)({}, permission), permission).toBe(false);
    }
    expect((registered.device as () => boolean)()).toBe(false);
    expect(filter!.urls).toEqual(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']);
    let cancelled: boolean | undefined;
    onRequest!({ url: 'https://tracker.example/' }, (r) => (cancelled = r.cancel));
    expect(cancelled).toBe(true);
  });

  it('has a CSP that allows only the app’s own scripts and no network', () => {
    expect(APP_CSP).toContain("default-src 'none'");
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).toContain("connect-src 'none'");
    expect(APP_CSP).not.toContain('unsafe');
  });
});

describe('the IPC sender check', () => {
  const check = createSenderCheck(() => [3]);
  const ev = (id: number, url: string, parent: unknown = null) => ({ sender: { id }, senderFrame: { url, parent } });
  it('accepts the main frame of our window on our page', () => {
    expect(check(ev(3, `${APP_URL}#/runs`))).toBe(true);
  });
  it('refuses other windows, subframes, other pages and a missing frame', () => {
    expect(check(ev(4, APP_URL))).toBe(false);
    expect(check(ev(3, APP_URL, {}))).toBe(false);
    expect(check(ev(3, 'https://evil.example/'))).toBe(false);
    expect(check({ sender: { id: 3 }, senderFrame: null })).toBe(false);
  });
});
