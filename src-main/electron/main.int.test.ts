import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENTS, IPC_INVOKE } from '@shared/contract/ipc';
import { APP_URL } from './window-policy';

/**
 * main.ts wired to objects shaped like electron's modules (there is no Electron binary here):
 * checks what main does with them — the core, the API, runtime.json, the window's preferences,
 * the IPC channels, the tray, and a clean stop — not Electron itself.
 */
const fake = vi.hoisted(() => {
  type Fn = (...args: unknown[]) => unknown;
  const state = {
    appEvents: new Map<string, Fn[]>(),
    paths: new Map<string, string>(),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, Fn>(),
    ipcHandlers: new Map<string, Fn>(),
    ipcListeners: new Map<string, Fn>(),
    powerListeners: new Map<string, Fn>(),
    windows: [] as { options: Record<string, unknown>; url?: string; shown: boolean; webContents: { id: number } }[],
    trays: [] as { icon: string; tooltip?: string; menu?: { label?: string }[]; destroyed: boolean }[],
    errors: [] as string[],
    exitCode: undefined as number | undefined,
    quitCompleted: 0,
  };
  const emit = (name: string, ...args: unknown[]) => {
    for (const fn of state.appEvents.get(name) ?? []) fn(...args);
  };
  const app = {
    isPackaged: false,
    setPath: (name: string, p: string) => void state.paths.set(name, p),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    getLocale: () => 'ja-JP',
    setBadgeCount: () => true,
    getLoginItemSettings: () => ({ openAtLogin: false }),
    setLoginItemSettings: () => undefined,
    setAsDefaultProtocolClient: () => true,
    on: (name: string, fn: Fn) => void state.appEvents.set(name, [...(state.appEvents.get(name) ?? []), fn]),
    quit: () => {
      let prevented = false;
      emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) state.quitCompleted++;
    },
    exit: (code: number) => void (state.exitCode = code),
  };
  let nextId = 1;
  class BrowserWindow {
    readonly webContents = { id: nextId++, on: () => undefined, setWindowOpenHandler: () => undefined };
    private readonly record: (typeof state.windows)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, shown: false, webContents: this.webContents };
      state.windows.push(this.record);
    }
    once() {}
    on() {}
    loadURL(url: string) {
      this.record.url = url;
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    isMaximized = () => false;
    maximize() {}
    getNormalBounds = () => ({ x: 10, y: 20, width: 1000, height: 700 });
    restore() {}
    show() {
      this.record.shown = true;
    }
    focus() {}
    hide() {}
  }
  class Tray {
    private readonly record: (typeof state.trays)[number];
    constructor(icon: string) {
      this.record = { icon, destroyed: false };
      state.trays.push(this.record);
    }
    setToolTip(t: string) {
      this.record.tooltip = t;
    }
    setContextMenu(m: { label?: string }[]) {
      this.record.menu = m;
    }
    on() {}
    destroy() {
      this.record.destroyed = true;
    }
  }
  const electron = {
    app,
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (t: unknown) => t },
    Notification: class {
      static isSupported = () => false;
    },
    shell: { openPath: async () => '' },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] },
    powerMonitor: { on: (event: string, fn: Fn) => void state.powerListeners.set(event, fn) },
    dialog: { showErrorBox: (title: string, text: string) => void state.errors.push(`${title}: ${text}`) },
    ipcMain: {
      handle: (c: string, fn: Fn) => void state.ipcHandlers.set(c, fn),
      removeHandler: (c: string) => void state.ipcHandlers.delete(c),
      on: (c: string, fn: Fn) => void state.ipcListeners.set(c, fn),
      removeListener: (c: string) => void state.ipcListeners.delete(c),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void state.schemes.push(...s),
      handle: (scheme: string, fn: Fn) => void state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        webRequest: { onBeforeRequest: () => undefined },
      },
    },
  };
  return { state, electron };
});

vi.mock('electron', () => fake.electron);

const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

/** Environment the main process reads at import, set per test and put back afterwards. */
const savedEnv = new Map<string, string | undefined>();
function setEnv(name: string, value: string): void {
  if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
  process.env[name] = value;
}
function restoreEnv(): void {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  savedEnv.clear();
}

describe('the desktop app main process (Electron modules faked)', () => {
  let dataDir: string;
  let blocker: Server | undefined;

  beforeEach(() => {
    vi.resetModules();
    const s = fake.state;
    for (const m of [s.appEvents, s.paths, s.protocolHandlers, s.ipcHandlers, s.ipcListeners]) m.clear();
    s.schemes.length = s.windows.length = s.trays.length = s.errors.length = 0;
    s.exitCode = undefined;
    s.quitCompleted = 0;
    dataDir = mkdtempSync(join(tmpdir(), 'da-main-'));
    setEnv('DESKTOP_AGENT_DATA_DIR', dataDir);
  });

  afterEach(async () => {
    if (fake.state.quitCompleted === 0 && fake.state.appEvents.has('before-quit')) {
      fake.electron.app.quit();
      await waitFor(() => fake.state.quitCompleted > 0, 'quit');
    }
    blocker?.close();
    blocker = undefined;
    restoreEnv();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the core and the API, opens a secure window on the app protocol, and stops cleanly', async () => {
    setEnv('DESKTOP_AGENT_PORT', '0');
    await import('./main');
    const s = fake.state;
    expect(s.paths.get('userData')).toBe(join(dataDir, 'electron'));
    expect(s.schemes).toMatchObject([{ scheme: 'desktop-agent', privileges: { standard: true, secure: true } }]);

    const runtime = join(dataDir, 'runtime.json');
    await waitFor(() => existsSync(runtime) && s.windows.length === 1, 'runtime.json and the window');
    const { url, pid } = JSON.parse(readFileSync(runtime, 'utf8')) as { url: string; pid: number };
    expect(pid).toBe(process.pid);
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok' });

    const win = s.windows[0]!;
    expect(win.url).toBe(APP_URL);
    expect(win.shown).toBe(true);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/out[\\/]preload[\\/]preload\.cjs$/);
    expect(s.protocolHandlers.has('desktop-agent')).toBe(true);

    // The page's IPC reaches the dispatcher; a frame of another origin does not.
    const event = (frameUrl: string) => ({ sender: { id: win.webContents.id, send: () => undefined, isDestroyed: () => false, once: () => undefined }, senderFrame: { url: frameUrl, parent: null } });
    expect(await s.ipcHandlers.get(IPC_INVOKE)!(event(APP_URL), 'system.health', {})).toMatchObject({ ok: true, data: { status: 'ok' } });
    expect(await s.ipcHandlers.get(IPC_INVOKE)!(event('https://evil.example/'), 'system.health', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(s.ipcListeners.has(IPC_EVENTS)).toBe(true);

    expect(s.trays[0]!.icon).toMatch(/assets[\\/]tray\.png$/);
    expect(s.trays[0]!.menu!.map((i) => i.label)).toContain(`ローカル API: ${url}`);

    fake.electron.app.quit();
    await waitFor(() => s.quitCompleted === 1, 'the stop');
    expect(existsSync(runtime)).toBe(false);
    expect(s.ipcHandlers.size).toBe(0);
    expect(s.trays[0]!.destroyed).toBe(true);
    expect(s.errors).toEqual([]);
  });

  it('still starts when the API port is taken, and says so in the tray; no runtime.json', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    setEnv('DESKTOP_AGENT_PORT', String(port));
    await import('./main');
    const s = fake.state;
    await waitFor(() => s.windows.length === 1 && s.trays.length === 1, 'the window and the tray');
    expect(s.trays[0]!.tooltip).toBe(`Desktop Agent — ローカル API を開始できません: port ${port} on 127.0.0.1 is already in use`);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    expect(s.errors).toEqual([]);
    expect(s.exitCode).toBeUndefined();
  });
});
