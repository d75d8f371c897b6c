import { Menu, Notification, Tray, app, dialog, ipcMain, powerMonitor, protocol, screen, session, shell, type BrowserWindow } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Core } from '../core/app/create-core';
import { packageInfo } from '../core/kernel/package-root';
import { startAppCore, type AppCore } from '../host/start-app-core';
import { appRuntimeOptions, electronProfileDir } from './app-options';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './app-protocol';
import { createIpcAdapter, type PrincipalResolver } from './ipc-adapter';
import { createElectronNotifier } from './notifier';
import { apiLine, createTray, trayLocale } from './tray';
import { createMainWindow } from './window';
import { APP_SCHEME, APP_URL, applySessionPolicy, createSenderCheck } from './window-policy';
import { dropScript, launchTargets, restoreWindowState, routeOfLink, stillRunningLine, watchPower, type LaunchTarget } from './lifecycle';
import { readJson, writeJson } from './json-file';
import { createAppNotices } from './app-notices';
import { routeHash } from '../core/notices/desk-notices';

/**
 * `npm start`: the desktop app. Main owns the core (lenient config: it starts with defaults and
 * shows the problems), the loopback API (a taken port is shown, not fatal), the window, the tray
 * and notifications. This file is wiring; the logic lives in the modules it imports.
 */

let options: ReturnType<typeof appRuntimeOptions>;
try {
  options = appRuntimeOptions(process.argv.slice(app.isPackaged ? 1 : 2), process.env);
} catch (e) {
  dialog.showErrorBox('Desktop Agent', (e as Error).message);
  process.exit(2);
}

// Before ready: the profile path decides the single-instance lock (one app per data dir).
app.setPath('userData', electronProfileDir(options.dataDir));
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/** A window's principal: its session, or the only active user of the app (decision 0009). */
function principalResolver(core: Core): PrincipalResolver {
  return (token) => core.users.app.authenticate(token);
}

async function start(): Promise<void> {
  const { root, version } = packageInfo();
  const resources = app.isPackaged ? process.resourcesPath : root;
  const rendererDir = join(root, 'out', 'renderer');
  const assets = join(resources, 'assets');

  let core: Core;
  const log = () => core.logger.child('App');
  const windowStateFile = join(electronProfileDir(options.dataDir), 'window-state.json');
  // Sleep and the lock: resume and unlock reach the scheduler (catch-up); the lock state is the desktop preflight's.
  const power = watchPower(powerMonitor, { resume: () => core.scheduler.resume(), logger: log });
  let window: BrowserWindow | undefined;
  let quitting = false;
  const windowIds = new Set<number>();
  const showWindow = () => {
    if (!window || window.isDestroyed()) {
      const win = createMainWindow({
        preload: join(root, 'out', 'preload', 'preload.cjs'),
        icon: join(assets, 'icon.png'),
        isQuitting: () => quitting,
        state: restoreWindowState(readJson(windowStateFile), screen.getAllDisplays().map((d) => d.workArea)),
        saveState: (state) => writeJson(windowStateFile, state, log()),
      });
      const id = win.webContents.id;
      windowIds.add(id);
      win.on('closed', () => windowIds.delete(id));
      window = win;
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  // The core and the loopback API (one instance per data dir; an API that cannot listen is shown,
  // not fatal): the same entry the packaged-layout smoke test starts under plain Node.
  let appCore: AppCore;
  try {
    const started = await startAppCore({
      ...options,
      root,
      resources,
      version,
      screenLocked: () => power.locked(),
      notifier: createElectronNotifier({ Notification, shell, showWindow, logger: () => core.logger.child('Notifier') }),
    });
    if (!started.ok) {
      process.stderr.write(`desktop-agent: ${started.message}\n`);
      dialog.showErrorBox('Desktop Agent is already running', started.message);
      app.exit(1);
      return;
    }
    appCore = started.app;
    core = appCore.core;
  } catch (e) {
    dialog.showErrorBox('Desktop Agent cannot start', (e as Error).message);
    app.exit(1);
    return;
  }

  registerAppProtocol(protocol, rendererDir);
  applySessionPolicy(session.defaultSession);
  const ipc = createIpcAdapter({
    ipcMain,
    dispatcher: core.dispatcher,
    bus: core.bus,
    resolvePrincipal: principalResolver(core),
    credentialOf: (p) => core.users.app.credential(p),
    streams: core.streams,
    isTrustedSender: createSenderCheck(() => windowIds),
    logger: core.logger.child('IPC'),
    onSessionChanged: () => void appNotices.notices.refresh(),
  });

  const locale = trayLocale(app.getLocale());
  const tray = createTray({
    Tray,
    Menu,
    icon: join(assets, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
    locale,
    api: () => core.host.api,
    open: showWindow,
    quit: () => app.quit(),
    approval: (id, action) => appNotices.trayApproval(id, action),
    startAtLogin: {
      checked: () => app.getLoginItemSettings().openAtLogin,
      set: (on) => {
        app.setLoginItemSettings({ openAtLogin: on });
        tray.refresh();
      },
    },
  });
  // What to tell whom is the core's (DeskNotices); this shows it and acts as the window's user.
  const appNotices = createAppNotices({
    core,
    ipc,
    windowId: () => (window && !window.isDestroyed() ? window.webContents.id : undefined),
    Notification,
    setBadgeCount: (count) => app.setBadgeCount(count),
    tray,
    locale,
    openRoute: (route) => {
      showWindow();
      // Only the fragment changes: the page stays and its hash route opens the dialog or the run.
      void window?.loadURL(`${APP_URL}${routeHash(route)}`);
    },
  });
  await appNotices.notices.start();
  if (core.host.api?.error) core.notifier.notify({ title: 'Desktop Agent', body: apiLine(core.host.api, locale)! });

  // A second start (or the OS opening a .yaml file or a desktop-agent:// link) is handled here.
  const open = (targets: LaunchTarget[]) => {
    showWindow();
    for (const t of targets) {
      if (t.kind === 'route') void window?.loadURL(`${APP_URL}${t.hash}`);
      else void passFile(t.path);
    }
  };
  const passFile = async (path: string) => {
    try {
      const { size } = await stat(path);
      // The renderer refuses a large file with its reason; do not read megabytes to say so.
      const text = size > 1_000_000 ? '' : await readFile(path, 'utf8');
      await window?.webContents.executeJavaScript(dropScript([{ name: basename(path), text }]));
    } catch (e) {
      log().warn('Could not pass a file to the window', { path, error: (e as Error).message });
    }
  };
  app.on('second-instance', (_event, argv, cwd) => open(launchTargets(argv, cwd)));
  app.on('open-file', (event, path) => {
    event.preventDefault();
    open([{ kind: 'file', path }]);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const hash = routeOfLink(url);
    open(hash ? [{ kind: 'route', hash }] : []);
  });
  if (app.isPackaged) app.setAsDefaultProtocolClient(APP_SCHEME);
  app.on('activate', showWindow);
  // The tray keeps the app (and its schedules and queues) running with no window open.
  app.on('window-all-closed', () => {});

  let stopped = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    // Stop accepting first, then let the core bring running work to a safe point (bounded, as serve on SIGTERM).
    void (async () => {
      try {
        const running = core.runs.read.list({ status: 'running', limit: 100 }).items;
        const line = stillRunningLine(running, locale);
        if (line) {
          log().info(line, { runs: running.map((r) => r.id) });
          core.notifier.notify({ title: 'Desktop Agent', body: line });
        }
        appNotices.notices.stop();
        ipc.close();
        await appCore.stop();
      } catch (e) {
        log().error('Shutdown was not clean', { error: (e as Error).message });
      } finally {
        stopped = true;
        tray.tray.destroy();
        app.quit();
      }
    })();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  showWindow();
  open(launchTargets(process.argv.slice(app.isPackaged ? 1 : 2), process.cwd()));
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns this data dir; it shows its window (second-instance).
  app.quit();
} else {
  app.whenReady().then(start, (e: Error) => {
    dialog.showErrorBox('Desktop Agent cannot start', e.message);
    app.exit(1);
  });
}
