import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

/**
 * The folder holding package.json (configs/, out/renderer and native/ are found from it).
 * Works from the TypeScript sources, the esbuild bundle in dist/ and the packaged app.
 */
export function packageInfo(start: string = dirname(fileURLToPath(import.meta.url))): { root: string; version: string } {
  if (cached) return cached;
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'desktop-agent') return (cached = { root: dir, version: json.version ?? '0.0.0' });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the desktop-agent package folder above ${start}`);
    dir = parent;
  }
}
