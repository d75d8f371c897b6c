// Does the app as electron-builder packages it start? Needs no Electron download.
//
//   node scripts/packaged-layout.mjs [--builder-config FILE] [--stage-only]
//
// Stages the packaged layout in a temp dir from electron-builder.yml itself (package.json, the
// `files` globs → resources/app, `extraResources` → resources/), with the production dependency
// closure of this install (`npm ls --omit=dev`, copied, as electron-builder collects them: no
// registry), then starts the app's core entry, out/main/app-core.js (the file out/main/index.js
// imports startAppCore from), under plain Node in that layout and checks it answers: /healthz, and
// a one-step run through the API finishes. A file the start needs that the list leaves out fails it.
// --stage-only: print {work, app, resources} as JSON and keep the layout (the Electron e2e launches it).
// Needs `npm run build` first (out/main, out/renderer). Exit 0 when the smoke passed.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (t) => process.stderr.write(`packaged-layout: ${t}\n`);
const fail = (t) => {
  say(`FAILED: ${t}`);
  process.exit(1);
};
const posix = (p) => p.split(sep).join('/');

/** Every file under dir (relative, with /), skipping node_modules and .git. */
function walk(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, base, out);
    else out.push(posix(relative(base, full)));
  }
  return out;
}

/** electron-builder's `files`: globs relative to the project, `!` excludes. */
function selectFiles(patterns) {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const isIn = picomatch(include, { dot: true });
  const isOut = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  // Only the top folders the globs name are walked (not the whole project).
  const tops = [...new Set(include.map((p) => p.split('/')[0]))];
  return tops.flatMap((top) => (statSync(join(root, top), { throwIfNoEntry: false })?.isDirectory() ? walk(join(root, top), root) : [top])).filter((f) => isIn(f) && !isOut(f));
}

function copyFile(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

/** The production packages of this install, as paths relative to the project (outermost first). */
function productionPackages() {
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (ls.status !== 0) fail(`npm ls --omit=dev failed (${ls.status}): ${ls.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const rels = ls.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== root.replace(/[\\/]$/, ''))
    .map((l) => posix(relative(root, l)))
    .sort((a, b) => a.length - b.length);
  // A package copied whole brings its nested node_modules; those need no copy of their own.
  const kept = [];
  for (const r of rels) if (!kept.some((k) => r.startsWith(`${k}/`))) kept.push(r);
  return kept;
}

export function stageLayout(builderConfigFile) {
  const config = parseYaml(readFileSync(builderConfigFile, 'utf8'));
  if (!Array.isArray(config.files)) fail(`${builderConfigFile}: \`files\` is not a list`);
  const work = mkdtempSync(join(tmpdir(), 'da-packaged-'));
  const resources = join(work, 'resources');
  const app = join(resources, 'app');
  // electron-builder adds package.json and the production node_modules to the `files`.
  copyFile(join(root, 'package.json'), join(app, 'package.json'));
  const files = selectFiles(config.files);
  for (const f of files) copyFile(join(root, f), join(app, f));
  for (const extra of config.extraResources ?? []) {
    const { from, to = from, filter = ['**/*'] } = typeof extra === 'string' ? { from: extra } : extra;
    const matches = picomatch(filter, { dot: true });
    for (const f of walk(join(root, from))) if (matches(f)) copyFile(join(root, from, f), join(resources, to, f));
  }
  // The entries a start needs (package.json `main`, and the core entry it imports) must be in the list.
  const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main;
  for (const entry of [main, 'out/main/app-core.js']) {
    if (!existsSync(join(app, entry))) {
      rmSync(work, { recursive: true, force: true });
      fail(`resources/app/${entry} is missing in the packaged layout (not built with \`npm run build\`, or left out of the \`files\` of ${builderConfigFile})`);
    }
  }
  const packages = productionPackages();
  for (const p of packages) cpSync(join(root, p), join(app, p), { recursive: true, verbatimSymlinks: true });
  return { work, app, resources, files: files.length, packages: packages.length };
}

/** The app's core entry started in the layout under plain Node; resolves with the child and its API URL. */
function startAppCore(layout, dataDir) {
  const entry = join(layout.app, 'out', 'main', 'app-core.js');
  const code = `
    const { readFileSync } = await import('node:fs');
    const { startAppCore } = await import(${JSON.stringify(pathToFileURL(entry).href)});
    const app = ${JSON.stringify(layout.app)};
    const { version } = JSON.parse(readFileSync(app + '/package.json', 'utf8'));
    const started = await startAppCore({ dataDir: ${JSON.stringify(dataDir)}, root: app, resources: ${JSON.stringify(layout.resources)}, version, host: '127.0.0.1', port: 0, allowRemote: false });
    if (!started.ok) { console.error(started.message); process.exit(3); }
    if (!started.app.http) { console.error('the API did not start: ' + started.app.core.host.api?.error); process.exit(4); }
    process.once('SIGTERM', () => started.app.stop().then(() => process.exit(0), (e) => { console.error(e); process.exit(5); }));
    console.log(JSON.stringify({ url: started.app.http.url }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: layout.work,
    env: { ...process.env, NODE_ENV: 'production', DESKTOP_AGENT_ADMIN_USER: 'admin', DESKTOP_AGENT_ADMIN_PASSWORD: 'Packaged-Smoke-1', DESKTOP_AGENT_PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const url = new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve(JSON.parse(line).url);
    });
    exited.then((code) => reject(new Error(`the app's core exited with ${code} before it answered:\n${err.trim()}`)));
    setTimeout(() => reject(new Error(`the app's core did not start within 90 s:\n${err.trim()}`)), 90_000).unref();
  });
  return { child, url, exited, stderr: () => err };
}

/** /healthz, then a one-step run through the API to its end. */
async function answers(url) {
  const health = await fetch(`${url}/healthz`);
  if (!health.ok) throw new Error(`/healthz answered ${health.status}`);
  say(`the app's core answered ${url}/healthz`);
  const auth = { authorization: `Basic ${Buffer.from('admin:Packaged-Smoke-1').toString('base64')}`, 'content-type': 'application/json' };
  const template_yaml = 'dsl_version: "1.1"\nname: "Packaged layout smoke"\nsteps:\n  - log: { message: "the packaged app runs" }\n';
  const created = await fetch(`${url}/api/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ template_yaml }) });
  if (created.status !== 201) throw new Error(`POST /api/runs answered ${created.status}: ${await created.text()}`);
  const { run_id } = await created.json();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await (await fetch(`${url}/api/runs/${run_id}`, { headers: auth })).json();
    if (run.status === 'succeeded') break;
    if (['failed', 'cancelled'].includes(run.status)) throw new Error(`the one-step run ended ${run.status}: ${run.error}`);
    if (Date.now() > deadline) throw new Error(`the one-step run did not finish within 60 s (status ${run.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`a one-step run through the API succeeded (${run_id})`);
}

async function smoke(layout) {
  const core = startAppCore(layout, join(layout.work, 'data'));
  const checked = await core.url.then(answers).then(
    () => undefined,
    (e) => e,
  );
  core.child.kill('SIGTERM');
  const code = await Promise.race([core.exited, new Promise((r) => setTimeout(() => r('no exit within 30 s'), 30_000))]);
  if (checked) throw checked;
  if (code !== 0) throw new Error(`the app's core did not stop cleanly on SIGTERM (${code}):\n${core.stderr().trim()}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { 'builder-config': { type: 'string' }, 'stage-only': { type: 'boolean' } } });
  const t0 = Date.now();
  const layout = stageLayout(values['builder-config'] ?? join(root, 'electron-builder.yml'));
  const staged = ((Date.now() - t0) / 1000).toFixed(1);
  say(`staged ${layout.files} files and ${layout.packages} production packages in ${layout.work} (${staged} s)`);
  if (values['stage-only']) {
    console.log(JSON.stringify({ work: layout.work, app: layout.app, resources: layout.resources }));
    process.exit(0);
  }
  const failure = await smoke(layout).then(
    () => undefined,
    (e) => e,
  );
  rmSync(layout.work, { recursive: true, force: true });
  if (failure) fail(failure.message);
  say(`ok: the packaged layout starts the app's core under plain Node (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
}
