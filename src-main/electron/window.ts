import { BrowserWindow } from 'electron';
import type { WindowState } from './lifecycle';
import { APP_URL, applyWindowPolicy, secureWebPreferences } from './window-policy';

/**
 * The main window: the built renderer from the app protocol, isolated and sandboxed, with the
 * preload's `window.agent` as its only way to the core. Opens where it was left (`state`); closing
 * it hides it to the tray and reports where it was (`saveState`).
 */
export function createMainWindow(options: { preload: string; icon: string; isQuitting: () => boolean; state: WindowState; saveState(state: WindowState): void }): BrowserWindow {
  const { state } = options;
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Desktop Agent',
    icon: options.icon,
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preload),
  });
  applyWindowPolicy(win.webContents);
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  win.on('close', (event) => {
    const bounds = win.getNormalBounds();
    options.saveState({ ...bounds, maximized: win.isMaximized() });
    if (options.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  void win.loadURL(APP_URL);
  return win;
}
