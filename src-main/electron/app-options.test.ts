import { describe, expect, it } from 'vitest';
import { unpackedPath } from '../host/start-app-core';
import { appRuntimeOptions, electronProfileDir } from './app-options';

describe('the desktop app options', () => {
  it('reads the shared flags and ignores Chromium switches and the app path', () => {
    const o = appRuntimeOptions(['.', '--no-sandbox', '--data-dir', '/tmp/da', '--port', '0', '--enable-logging=stderr'], {}, 'linux');
    expect(o).toMatchObject({ dataDir: '/tmp/da', port: 0, host: '127.0.0.1', allowRemote: false });
  });

  it('falls back to the environment, then to the OS data dir of SPEC section 1', () => {
    expect(appRuntimeOptions([], { DESKTOP_AGENT_DATA_DIR: '/srv/da', DESKTOP_AGENT_PORT: '9000' }, 'linux')).toMatchObject({ dataDir: '/srv/da', port: 9000 });
    expect(appRuntimeOptions([], { XDG_CONFIG_HOME: '/home/u/.config' }, 'linux').dataDir).toBe('/home/u/.config/desktop-agent');
    expect(appRuntimeOptions([], { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32').dataDir).toMatch(/Roaming[\\/]Desktop Agent$/);
    expect(appRuntimeOptions([], {}, 'darwin').dataDir).toMatch(/Library\/Application Support\/Desktop Agent$/);
  });

  it('refuses a non-loopback host without --allow-remote, as serve does', () => {
    expect(() => appRuntimeOptions(['--host', '0.0.0.0'], {}, 'linux')).toThrow('--host 0.0.0.0 is not a loopback address');
    expect(() => appRuntimeOptions(['--port', 'lots'], {}, 'linux')).toThrow("--port must be a whole number from 0 to 65535 (got 'lots')");
  });

  it('keeps the Chromium profile inside the data dir and finds unpacked native files', () => {
    expect(electronProfileDir('/d')).toBe('/d/electron');
    expect(unpackedPath('/opt/Desktop Agent/resources/app.asar/native/electron-140')).toBe('/opt/Desktop Agent/resources/app.asar.unpacked/native/electron-140');
    expect(unpackedPath('/home/u/desktop-agent/native')).toBe('/home/u/desktop-agent/native');
  });
});
