import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from '../action-types';

/**
 * Which Chromium-family browser web actions drive. Never a download: the path the user gave
 * (--browser / DESKTOP_AGENT_BROWSER_PATH, then orchestrator.yaml web.browser_path), else the
 * first installed Chrome / Edge / Chromium at its standard place (restricted to one vendor when
 * web.channel is set). We always hand Playwright an executable path, so it never suggests
 * `playwright install`.
 */

export type BrowserChannel = 'chrome' | 'msedge' | 'chromium';

export interface BrowserChoice {
  executablePath: string;
  /** Where the choice came from, for the open_browser result and error messages. */
  source: 'browser_path' | 'config.web.browser_path' | `installed ${BrowserChannel}`;
}

export interface DiscoveryInput {
  browserPath?: string;
  configPath?: string;
  channel?: BrowserChannel;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  isFile?: (path: string) => boolean;
}

const isFileOnDisk = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/** Standard install places, by platform and vendor, in order of preference. */
export function candidatePaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): { channel: BrowserChannel; path: string }[] {
  if (platform === 'darwin') {
    const apps = ['/Applications', ...(env.HOME ? [join(env.HOME, 'Applications')] : [])];
    return apps.flatMap((dir) => [
      { channel: 'chrome' as const, path: `${dir}/Google Chrome.app/Contents/MacOS/Google Chrome` },
      { channel: 'msedge' as const, path: `${dir}/Microsoft Edge.app/Contents/MacOS/Microsoft Edge` },
      { channel: 'chromium' as const, path: `${dir}/Chromium.app/Contents/MacOS/Chromium` },
    ]);
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((root) => [
      { channel: 'chrome' as const, path: `${root}\\Google\\Chrome\\Application\\chrome.exe` },
      { channel: 'msedge' as const, path: `${root}\\Microsoft\\Edge\\Application\\msedge.exe` },
      { channel: 'chromium' as const, path: `${root}\\Chromium\\Application\\chrome.exe` },
    ]);
  }
  return [
    { channel: 'chrome', path: '/usr/bin/google-chrome' },
    { channel: 'chrome', path: '/usr/bin/google-chrome-stable' },
    { channel: 'chrome', path: '/opt/google/chrome/chrome' },
    { channel: 'msedge', path: '/usr/bin/microsoft-edge' },
    { channel: 'msedge', path: '/usr/bin/microsoft-edge-stable' },
    { channel: 'msedge', path: '/opt/microsoft/msedge/msedge' },
    { channel: 'chromium', path: '/usr/bin/chromium' },
    { channel: 'chromium', path: '/usr/bin/chromium-browser' },
    { channel: 'chromium', path: '/snap/bin/chromium' },
  ];
}

export function resolveBrowser(input: DiscoveryInput): BrowserChoice {
  const isFile = input.isFile ?? isFileOnDisk;
  const given: [string | undefined, BrowserChoice['source'], string][] = [
    [input.browserPath, 'browser_path', '--browser / DESKTOP_AGENT_BROWSER_PATH'],
    [input.configPath, 'config.web.browser_path', 'web.browser_path in orchestrator.yaml'],
  ];
  for (const [path, source, where] of given) {
    if (!path) continue;
    if (!isFile(path)) throw new ActionError('BROWSER_NOT_FOUND', `The browser set by ${where} does not exist: ${path}`, false, { path });
    return { executablePath: path, source };
  }
  const candidates = candidatePaths(input.platform ?? process.platform, input.env ?? process.env).filter((c) => !input.channel || c.channel === input.channel);
  const found = candidates.find((c) => isFile(c.path));
  if (found) return { executablePath: found.path, source: `installed ${found.channel}` };
  const vendor = input.channel ? `${input.channel} (web.channel)` : 'Chrome, Edge or Chromium';
  throw new ActionError(
    'BROWSER_NOT_FOUND',
    `No installed ${vendor} was found (looked at: ${candidates.map((c) => c.path).join(', ')}). Install one, or give its path with --browser, DESKTOP_AGENT_BROWSER_PATH or web.browser_path in orchestrator.yaml.`,
    false,
    { tried: candidates.map((c) => c.path) },
  );
}
