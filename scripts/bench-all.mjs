// `npm run bench [-- name...]`: runs the bundled benchmarks (dist/bench/*.js) one after another.
// Each prints its figures beside a peer measured in the same run, with the ratio.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(`${root}/dist/bench`).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''));
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
if (!chosen.length) {
  console.error(`No benchmark matches ${wanted.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}`);
  const r = spawnSync(process.execPath, [`${root}/dist/bench/${name}.js`], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
