import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

/** Lets vite and vitest import `.sql` migration files as strings, as esbuild's text loader does. */
export function sqlText(): Plugin {
  return {
    name: 'desktop-agent:sql-text',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.sql')) return null;
      return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
    },
  };
}
