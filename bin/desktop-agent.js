#!/usr/bin/env node
// The CLI is bundled to dist/cli.js by `npm run build:node`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('desktop-agent: the CLI is not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(bundle);
