import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `/public/dashboard`: the app's own page (out/renderer/index.html), whose relative asset URLs are
 * made absolute so they load from `/assets/` under this path too. The app shows its read-only
 * Dashboard when it is opened at this path. The page holds no figures; they come from /metrics.
 */
export function readDashboardPage(rendererDir: string): string | undefined {
  const file = join(rendererDir, 'index.html');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').replace(/(src|href)="\.\/assets\//g, '$1="/assets/');
}
