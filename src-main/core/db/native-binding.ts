import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * better-sqlite3 is not N-API: a build works for one ABI only. We keep a Node build and an
 * Electron build side by side under `native/<runtime>-<abi>/better_sqlite3.node`
 * (scripts/native-binding.mjs makes them) and pick the one matching the running process, so
 * `npm test` (Node) and `npm start` (Electron) both work in any order.
 * Returns undefined to let better-sqlite3 load its own build (node_modules/.../build/Release).
 */
export function nativeBindingPath(
  rootDir: string,
  versions: NodeJS.ProcessVersions = process.versions,
  exists: (p: string) => boolean = existsSync,
): string | undefined {
  const runtime = versions.electron ? 'electron' : 'node';
  const candidate = join(rootDir, 'native', `${runtime}-${versions.modules}`, 'better_sqlite3.node');
  return exists(candidate) ? candidate : undefined;
}
