import { BrowserWindow } from 'electron';
import { APP_URL, applyWindowPolicy, secureWebPreferences } from './window-policy';

/**
 * The main window: the built renderer from the app protocol, isolated and sandboxed, with the
 * preload's `window.agent` as its only way to the core. Closing it hides it to the tray.
 */
export function createMainWindow(options: { preload: string; icon: string; isQuitting: () => boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
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
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  void win.loadURL(APP_URL);
  return win;
}
