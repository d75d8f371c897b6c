import { describe, expect, it } from 'vitest';
import { ActionError } from '../action-types';
import { resolveBrowser } from './browser-discovery';

const only = (...paths: string[]) => (p: string) => paths.includes(p);

describe('resolveBrowser', () => {
  it('takes --browser first, then web.browser_path, and fails clearly when the given path is missing', () => {
    expect(resolveBrowser({ browserPath: '/x/chrome', configPath: '/y/edge', isFile: only('/x/chrome', '/y/edge') })).toEqual({ executablePath: '/x/chrome', source: 'browser_path' });
    expect(resolveBrowser({ configPath: '/y/edge', isFile: only('/y/edge') })).toEqual({ executablePath: '/y/edge', source: 'config.web.browser_path' });
    expect(() => resolveBrowser({ browserPath: '/nope', isFile: only('/usr/bin/chromium') })).toThrow('The browser set by --browser / DESKTOP_AGENT_BROWSER_PATH does not exist: /nope');
  });

  it('finds Chrome before Edge before Chromium on Linux, or the vendor web.channel names', () => {
    const installed = only('/usr/bin/chromium', '/opt/microsoft/msedge/msedge');
    expect(resolveBrowser({ platform: 'linux', env: {}, isFile: installed })).toEqual({ executablePath: '/opt/microsoft/msedge/msedge', source: 'installed msedge' });
    expect(resolveBrowser({ platform: 'linux', env: {}, channel: 'chromium', isFile: installed })).toEqual({ executablePath: '/usr/bin/chromium', source: 'installed chromium' });
  });

  it('knows the standard places on macOS and Windows', () => {
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(resolveBrowser({ platform: 'darwin', env: { HOME: '/Users/a' }, isFile: only(mac) }).executablePath).toBe(mac);
    const win = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    expect(resolveBrowser({ platform: 'win32', env: { PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)' }, isFile: only(win) }).executablePath).toBe(win);
  });

  it('never downloads: with nothing installed it says where it looked and how to configure one', () => {
    let error: unknown;
    try {
      resolveBrowser({ platform: 'linux', env: {}, channel: 'chrome', isFile: () => false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).code).toBe('BROWSER_NOT_FOUND');
    expect((error as ActionError).message).toBe(
      'No installed chrome (web.channel) was found (looked at: /usr/bin/google-chrome, /usr/bin/google-chrome-stable, /opt/google/chrome/chrome). Install one, or give its path with --browser, DESKTOP_AGENT_BROWSER_PATH or web.browser_path in orchestrator.yaml.',
    );
  });
});
