import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../core/kernel/paths';
import { RUNTIME_FLAGS, runtimeOptions, type RuntimeOptions } from '../host/runtime-options';

/**
 * The shared flags of SPEC section 1 from the app's command line (`npm start -- --port 0`) and
 * environment. Chromium's own switches are left alone.
 */
export function appRuntimeOptions(args: string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): RuntimeOptions & { dataDir: string } {
  const { values } = parseArgs({
    args,
    strict: false,
    allowPositionals: true,
    options: RUNTIME_FLAGS,
  });
  const options = runtimeOptions(values as Record<string, string | boolean | undefined>, env);
  return { ...options, dataDir: options.dataDir ?? defaultDataDir(platform, env) };
}

/** Chromium's profile (caches, the page's localStorage) lives inside the data dir, apart from our files. */
export function electronProfileDir(dataDir: string): string {
  return join(dataDir, 'electron');
}
