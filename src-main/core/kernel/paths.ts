import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Paths } from './ports';

/** The OS app-data dir of SPEC section 1. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Desktop Agent');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Desktop Agent');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'desktop-agent');
}

export interface PathOptions {
  dataDir?: string;
  configDir?: string;
  defaultConfigDir: string;
}

export function resolvePaths(options: PathOptions): Paths {
  const dataDir = resolve(expandHome(options.dataDir ?? defaultDataDir()));
  const configDir = resolve(expandHome(options.configDir ?? join(dataDir, 'configs')));
  const logsDir = join(dataDir, 'logs');
  return {
    dataDir,
    configDir,
    defaultConfigDir: options.defaultConfigDir,
    dbFile: join(dataDir, 'desktop-agent.db'),
    logsDir,
    logFile: join(logsDir, 'desktop-agent.log'),
    artifactsDir: join(dataDir, 'artifacts'),
    runtimeFile: join(dataDir, 'runtime.json'),
  };
}

export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(homedir(), p.slice(2));
  return p;
}
