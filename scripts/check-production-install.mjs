// CI: does the built app start with only its production dependencies? (what electron-builder
// packages and what `npm ci --omit=dev` installs). Copies the built app to a temp dir, installs
// there with --omit=dev, then starts `serve` (waits for /healthz) and `run`s a one-step template.
// Needs `npm run build` first and the npm registry. Exit 0 when both worked.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (t) => process.stderr.write(`production-install: ${t}\n`);
const fail = (t) => {
  say(`FAILED: ${t}`);
  process.exit(1);
};

if (!existsSync(join(root, 'dist', 'cli.js'))) fail('dist/cli.js is missing; run `npm run build` first');

const work = mkdtempSync(join(tmpdir(), 'da-prod-install-'));
const app = join(work, 'app');
mkdirSync(app);
// What a package holds: the manifest and lock, the bundles, the launcher, default configs and the
// postinstall script (it copies the Node build of better-sqlite3 to native/).
for (const p of ['package.json', 'package-lock.json', 'bin', 'dist', 'out', 'configs', 'scripts/native-binding.mjs']) {
  if (existsSync(join(root, p))) cpSync(join(root, p), join(app, p), { recursive: true, filter: (src) => !src.endsWith('.map') });
}

say(`npm ci --omit=dev in ${app}`);
const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
  cwd: app,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', NODE_ENV: 'production' },
});
if (install.status !== 0) fail(`npm ci --omit=dev exited with ${install.status}`);
for (const dev of ['vitest', 'electron']) {
  if (existsSync(join(app, 'node_modules', dev))) fail(`devDependency ${dev} was installed: the install is not a production one`);
}

const cli = join(app, 'bin', 'desktop-agent.js');
const env = { ...process.env, DESKTOP_AGENT_PORT: undefined, NODE_ENV: 'production' };

// serve: up until /healthz answers.
const serveDir = join(work, 'serve-data');
let serveErr = '';
const serve = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', serveDir], { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
serve.stderr.on('data', (c) => (serveErr += c.toString()));
const serveExit = new Promise((r) => serve.once('exit', (code) => r(code)));
const deadline = Date.now() + 60_000;
let url;
while (!url) {
  if (serve.exitCode !== null) fail(`serve exited with ${serve.exitCode}:\n${serveErr}`);
  if (Date.now() > deadline) fail(`serve did not answer /healthz within 60 s:\n${serveErr}`);
  try {
    const candidate = JSON.parse(readFileSync(join(serveDir, 'runtime.json'), 'utf8')).url;
    if ((await fetch(`${candidate}/healthz`)).ok) url = candidate;
  } catch {
    // not up yet
  }
  if (!url) await new Promise((r) => setTimeout(r, 100));
}
say(`serve answered ${url}/healthz`);
serve.kill('SIGTERM');
const code = await Promise.race([serveExit, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
if (code !== 0) fail(`serve did not stop cleanly on SIGTERM (${code}):\n${serveErr}`);

// run: a one-step template with the engine, in its own data dir.
const template = join(work, 'one-step.yaml');
writeFileSync(template, 'dsl_version: "1.1"\nname: "Production install check"\nsteps:\n  - log: { message: "production install works" }\n');
const run = spawnSync(process.execPath, [cli, 'run', template, '--data-dir', join(work, 'run-data')], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
if (run.status !== 0) fail(`run exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
say('run of a one-step template succeeded');

rmSync(work, { recursive: true, force: true });
say('ok: serve and run start from a production install');
