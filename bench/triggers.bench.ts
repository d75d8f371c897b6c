/**
 * Trigger benchmarks (SPEC section 15, issue 15), each beside a peer measured in the same run:
 *
 *   npm run bench -- triggers          (or: node dist/bench/triggers.js after npm run build)
 *
 * - webhook: GitHub-signed deliveries at 50 keep-alive connections from a separate load process,
 *   verified and durably queued by `serve`'s HTTP stack (202 {run_id}); peer: a bare node:http
 *   server that checks the same HMAC and answers 202 without storing anything.
 * - watcher: file written → run queued, debounce subtracted, 200 files one after another; and a
 *   5,000-file burst (time to the last run, lost, duplicates); peer: bare chokidar with the same
 *   debounce timer and no ledger or queue.
 * - overflow: the watcher when the OS really drops events: the watching process's inotify queue
 *   made small (fs.inotify.max_queued_events, 256; restored as soon as that process has its
 *   instance, and on SIGINT/SIGTERM), 5,000 files created while its loop is blocked 150 ms of
 *   every 200; peer: bare chokidar in the same process (the same OS events). Needs root.
 * - scheduler: fire time − scheduled time of an every-second schedule while two processes spin
 *   the CPU, with the event loop's delay meanwhile; peer: a bare setTimeout aimed at each whole
 *   second under the same load.
 *
 * BENCH_ONLY=webhook,watcher,overflow,scheduler picks sections (webhook-ours: the webhook without its peer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpServer } from '../src-main/core/api/http';
import { createCore, type Core } from '../src-main/core/app/create-core';
import { nativeBindingPath } from '../src-main/core/db/native-binding';
import { packageInfo } from '../src-main/core/kernel/package-root';
import { resolvePaths } from '../src-main/core/kernel/paths';
import type { LogSink } from '../src-main/core/kernel/logger';
import { rawPost, runHttpLoad, type LoadResult } from './support/http-load';
import { overflowChild, runOverflowScenario } from './support/watch-overflow';
import { percentile, printTable } from './support/report';

const SECRET = 'bench-webhook-secret';
const BODY = JSON.stringify({ repository: { name: 'desktop-agent' }, head_commit: { id: 'c0ffee' } });
const SIGNATURE = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const FILES = Number(process.env.BENCH_FILES ?? 200);
const BURST = Number(process.env.BENCH_BURST ?? 5000);
const FIRES = Number(process.env.BENCH_FIRES ?? 20);
const DEBOUNCE = 100;
const ONLY = process.env.BENCH_ONLY;
/** The overflow section: files created while the watching process is blocked, and its inotify queue's size. */
const OVERFLOW_FILES = Number(process.env.BENCH_OVERFLOW_FILES ?? 5000);
const OVERFLOW_QUEUE = Number(process.env.BENCH_OVERFLOW_QUEUE ?? 256);
const ADMIN = { principal: { kind: 'user' as const, id: 'bench', username: 'bench', role: 'Admin' as const, via: 'cli' as const }, source: 'cli' as const };
const TEMPLATE = 'dsl_version: "1.1"\nname: tick\nvariables:\n  trigger_file: ""\n  repository_name: ""\nsteps:\n  - log: { message: "tick" }\n';

// ---- the load process: `node triggers.js load <url> <seconds> <connections>` ----------------

async function load(url: string, seconds: number, connections: number): Promise<void> {
  const request = rawPost(new URL(url), { 'content-type': 'application/json', 'x-hub-signature-256': SIGNATURE }, BODY);
  const prefix = randomUUID().slice(0, 8);
  const result = await runHttpLoad({ url, seconds, connections, expectStatus: 202, request: (n) => request(`x-github-delivery: ${prefix}-${n}\r\n`) });
  process.stdout.write(JSON.stringify(result));
}

/** The load from another process; also the server process's CPU time per accepted request (steadier than rates on a busy machine). */
async function runLoad(url: string): Promise<LoadResult & { cpuMsPerRequest: number }> {
  const cpu = process.cpuUsage();
  const r = await loadProcess(url);
  const used = process.cpuUsage(cpu);
  return { ...r, cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, r.ok) };
}

function loadProcess(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1]!, 'load', url, String(SECONDS), String(CONNECTIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load process exited ${code}`))));
  });
}

// ---- ours and the peers -------------------------------------------------------------------

async function core(dir: string, extraLogSinks?: LogSink[]): Promise<Core> {
  const { root, version } = packageInfo();
  const c = await createCore({ paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(root, 'configs') }), version, nativeBinding: nativeBindingPath(root), logLevel: 'warn', extraLogSinks, env: { ...process.env, DESKTOP_AGENT_SECRET_BENCH_HOOK: SECRET } });
  c.config.write('orchestrator.yaml', { queues: { default: { max_concurrent: 2, max_queued: 10_000_000 }, background: { max_concurrent: 1, max_queued: 10_000_000, paused: true } } });
  await c.start();
  await c.invoke('templates.save', { name: 'tick', yaml: TEMPLATE }, ADMIN);
  return c;
}

async function webhookOurs(c: Core) {
  await c.invoke('webhooks.create', { id: 'gh', name: 'bench', endpoint: '/webhooks/gh', template: 'tick', secret: 'secrets://bench_hook', signature: 'github', queue: 'background', extract_variables: ['repository.name'] }, ADMIN);
  const http = await startHttpServer({ dispatcher: c.dispatcher, authenticator: c.authenticator, bus: c.bus, streams: c.streams, logger: c.logger, host: '127.0.0.1', port: 0, allowRemote: false, bodyLimitBytes: 1 << 20, webhooks: c.webhookDeliveries });
  try {
    return await runLoad(`${http.url}/webhooks/gh`);
  } finally {
    await http.close();
  }
}

async function webhookPeer() {
  const expected = Buffer.from(SIGNATURE);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const sig = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(Buffer.concat(chunks)).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      const good = given.length === sig.length && timingSafeEqual(given, sig) && timingSafeEqual(sig, expected);
      res.writeHead(good ? 202 : 401, { 'content-type': 'application/json' });
      res.end(good ? '{"run_id":"none"}' : '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await runLoad(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.close();
  }
}

/** Writes files one by one; resolves each write's latency to its hand-over (debounce subtracted). */
async function fileLatencies(folder: string, seen: (name: string) => Promise<number>): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < FILES; i++) {
    const name = `single-${i}.txt`;
    const wait = seen(name);
    const t0 = performance.now();
    writeFileSync(join(folder, name), `file ${i}`);
    lat.push((await wait) - t0 - DEBOUNCE);
  }
  return lat;
}

async function watcherOurs(c: Core, folder: string) {
  const waiters = new Map<string, (t: number) => void>();
  let queued = 0;
  const files = new Set<string>();
  const off = c.bus.subscribe((e) => {
    if (e.type !== 'watcher.event') return;
    const d = e.data as { file: string; outcome: string };
    if (d.outcome !== 'queued') return;
    queued++;
    files.add(d.file);
    const name = d.file.slice(folder.length + 1);
    waiters.get(name)?.(performance.now());
  });
  await c.invoke('watchers.create', { id: 'bench', name: 'bench', watch_path: folder, template: 'tick', patterns: ['*.txt'], debounce_ms: DEBOUNCE, queue: 'background' }, ADMIN);
  while (c.watchers.views()[0]?.state !== 'watching') await new Promise((r) => setTimeout(r, 20));
  const lat = await fileLatencies(folder, (name) => new Promise((r) => waiters.set(name, r)));
  const before = queued;
  const t0 = performance.now();
  for (let i = 0; i < BURST; i++) writeFileSync(join(folder, `burst-${i}.txt`), `b ${i}`);
  while (queued - before < BURST && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 20));
  const burstMs = performance.now() - t0;
  off();
  return { lat, burstMs, lost: BURST + FILES - files.size, duplicates: queued - files.size };
}

async function watcherPeer(folder: string) {
  const { watch } = await import('chokidar');
  const waiters = new Map<string, (t: number) => void>();
  const timers = new Map<string, NodeJS.Timeout>();
  let handed = 0;
  const w = watch(folder, { ignoreInitial: true, depth: 0 });
  const settle = (p: string) => {
    clearTimeout(timers.get(p));
    timers.set(
      p,
      setTimeout(() => {
        timers.delete(p);
        handed++;
        waiters.get(p.slice(folder.length + 1))?.(performance.now());
      }, DEBOUNCE),
    );
  };
  w.on('add', settle).on('change', settle);
  await new Promise<void>((r) => w.once('ready', () => r()));
  const lat = await fileLatencies(folder, (name) => new Promise((r) => waiters.set(name, r)));
  const before = handed;
  const t0 = performance.now();
  for (let i = 0; i < BURST; i++) writeFileSync(join(folder, `burst-${i}.txt`), `b ${i}`);
  while (handed - before < BURST && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 20));
  const burstMs = performance.now() - t0;
  await w.close();
  return { lat, burstMs };
}

/**
 * The event loop's delay while a scheduler scenario runs (perf_hooks histogram), and each stall
 * over 30 ms with its wall-clock time (to line up with the fires and with a --cpu-prof profile).
 */
function loopWatch(): { stop(): { p99: number; max: number; gaps: { at: string; hrUs: bigint; ms: number }[] } } {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const gaps: { at: string; hrUs: bigint; ms: number }[] = [];
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last > 30 + 5) gaps.push({ at: new Date().toISOString(), hrUs: process.hrtime.bigint() / 1000n, ms: now - last - 5 });
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(tick);
      h.disable();
      return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, gaps };
    },
  };
}

function spinners(): ChildProcess[] {
  return [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

async function schedulerOurs(c: Core) {
  const jitter: number[] = [];
  let doubles = 0;
  const seen = new Set<string>();
  const off = c.bus.subscribe((e) => {
    if (e.type !== 'schedule.fired') return;
    const t = (e.data as { scheduledTime?: string }).scheduledTime!;
    if (seen.has(t)) doubles++;
    seen.add(t);
    jitter.push(Date.now() - Date.parse(t));
  });
  await c.invoke('schedules.create', { id: 'tick', name: 'tick', cron: '* * * * * *', template: 'tick', timezone: 'UTC', queue: 'background', overlap: 'allow' }, ADMIN);
  while (jitter.length < FIRES) await new Promise((r) => setTimeout(r, 50));
  off();
  await c.invoke('schedules.delete', { id: 'tick' }, ADMIN);
  return { jitter, doubles };
}

async function schedulerPeer() {
  const jitter: number[] = [];
  await new Promise<void>((done) => {
    const next = () => {
      const due = Math.floor(Date.now() / 1000) * 1000 + 1000;
      setTimeout(() => {
        jitter.push(Date.now() - due);
        if (jitter.length >= FIRES) done();
        else next();
      }, due - Date.now());
    };
    next();
  });
  return { jitter };
}

/** BENCH_ONLY picks sections (comma-separated): webhook, watcher, overflow, scheduler; webhook-ours is the webhook without its peer. */
const SECTIONS = new Set((ONLY ?? 'webhook,watcher,overflow,scheduler').split(',').map((s) => (s === 'webhook-ours' ? 'webhook' : s)));

async function webhookSection(c: Core): Promise<void> {
  const hOurs = await webhookOurs(c);
  const hPeer = ONLY === 'webhook-ours' ? { ...hOurs, rate: NaN, cpuMsPerRequest: NaN, bad: 0, badAnswers: {} } : await webhookPeer();
  printTable(`Webhook: GitHub-signed deliveries, ${CONNECTIONS} connections, ${SECONDS} s each`, [
    { what: 'accepted (verified + durably queued) per second', unit: 'req/s', ours: hOurs.rate, peer: hPeer.rate, higherIsBetter: true, target: '≥ 8,000' },
    { what: 'latency p50', unit: 'ms', ours: hOurs.p50, peer: hPeer.p50, higherIsBetter: false },
    { what: 'latency p99', unit: 'ms', ours: hOurs.p99, peer: hPeer.p99, higherIsBetter: false, target: '≤ 20' },
    { what: 'server CPU per accepted request', unit: 'ms', ours: hOurs.cpuMsPerRequest, peer: hPeer.cpuMsPerRequest, higherIsBetter: false },
  ], 'node:http');
  console.log(`answers other than 202: ours ${hOurs.bad}, peer ${hPeer.bad} (target 0)`);
  for (const [answer, count] of Object.entries({ ...hOurs.badAnswers })) console.log(`  ours ${count} × ${answer}`);
  for (const [answer, count] of Object.entries({ ...hPeer.badAnswers })) console.log(`  peer ${count} × ${answer}`);
}

async function watcherSection(c: Core, dir: string): Promise<void> {
  for (const f of ['ours', 'peer']) mkdirSync(join(dir, f));
  const wOurs = await watcherOurs(c, join(dir, 'ours'));
  const wPeer = await watcherPeer(join(dir, 'peer'));
  printTable(`Watcher: file written → run queued (debounce ${DEBOUNCE} ms subtracted), ${FILES} files; then a ${BURST}-file burst`, [
    { what: 'file → queued p50', unit: 'ms', ours: percentile(wOurs.lat, 50), peer: percentile(wPeer.lat, 50), higherIsBetter: false },
    { what: 'file → queued p99', unit: 'ms', ours: percentile(wOurs.lat, 99), peer: percentile(wPeer.lat, 99), higherIsBetter: false, target: '≤ 50' },
    { what: `${BURST}-file burst: first write → last run queued`, unit: 'ms', ours: wOurs.burstMs, peer: wPeer.burstMs, higherIsBetter: false },
  ], 'chokidar');
  console.log(`burst: lost ${wOurs.lost}, duplicates ${wOurs.duplicates} (target 0, 0)`);
}

async function overflowSection(dir: string): Promise<void> {
  const r = await runOverflowScenario({ script: process.argv[1]!, dir, files: OVERFLOW_FILES, queue: OVERFLOW_QUEUE, writer: join(packageInfo().root, 'test-support/file-writer.mjs') });
  console.log(`\nWatcher when the OS drops events: ${OVERFLOW_FILES} files created by another process while the watching process is busy (its loop blocked 150 ms of every 200 ms)`);
  if ('readOnly' in r) return void console.log(`  not measured: ${r.readOnly}`);
  console.log(`  inotify queue of the watching process: ${r.queue} events (fs.inotify.max_queued_events, set only while it started, then restored)`);
  console.log(`  loop blocked ${r.blockedMs.toFixed(0)} ms in all; then ${r.recoverMs.toFixed(0)} ms until ours had every file queued (or nothing more came for 10 s)`);
  console.log(`  bare chokidar (same process, same OS events) saw ${r.peerSaw} of ${r.files}`);
  console.log(`  ours queued ${r.oursQueued} of ${r.files} (${r.oursRuns} runs), ${r.oursSwept} of them found by listing the folder after the burst; lost ${r.files - r.oursQueued}, duplicates ${r.oursRuns - r.oursQueued} (target 0, 0)`);
}

async function schedulerSection(c: Core): Promise<void> {
  const spin = spinners();
  try {
    const loopOurs = loopWatch();
    const sOurs = await schedulerOurs(c);
    const lOurs = loopOurs.stop();
    const loopPeer = loopWatch();
    const sPeer = await schedulerPeer();
    const lPeer = loopPeer.stop();
    printTable(`Scheduler: every-second schedule, ${FIRES} fires, two processes spinning the CPU`, [
      { what: 'fire − scheduled p50', unit: 'ms', ours: percentile(sOurs.jitter, 50), peer: percentile(sPeer.jitter, 50), higherIsBetter: false },
      { what: 'fire − scheduled p99', unit: 'ms', ours: percentile(sOurs.jitter, 99), peer: percentile(sPeer.jitter, 99), higherIsBetter: false, target: '≤ 20' },
      { what: 'event-loop delay p99 while firing', unit: 'ms', ours: lOurs.p99, peer: lPeer.p99, higherIsBetter: false },
      { what: 'event-loop delay max while firing', unit: 'ms', ours: lOurs.max, peer: lPeer.max, higherIsBetter: false },
    ], 'setTimeout');
    console.log(`double fires: ${sOurs.doubles} (target 0)`);
    console.log(`fire − scheduled, ms, in order: ours ${sOurs.jitter.join(' ')}; setTimeout ${sPeer.jitter.join(' ')}`);
    console.log(`event-loop stalls over 30 ms: ours ${lOurs.gaps.length}, setTimeout ${lPeer.gaps.length} (the same machine, one after the other)`);
    for (const g of lOurs.gaps) console.log(`  ours: the loop was blocked ${g.ms.toFixed(0)} ms until ${g.at} (hrtime ${g.hrUs} µs, to line up with a --cpu-prof profile)`);
  } finally {
    for (const s of spin) s.kill();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-triggers-'));
  const c = await core(join(dir, 'data'));
  try {
    if (SECTIONS.has('webhook')) await webhookSection(c);
    if (SECTIONS.has('watcher')) await watcherSection(c, dir);
    if (SECTIONS.has('overflow')) await overflowSection(join(dir, 'overflow-run'));
    if (SECTIONS.has('scheduler')) await schedulerSection(c);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The watching process of the overflow section: a core of its own with one folder watcher. */
async function overflowChildMain(dir: string, files: number): Promise<void> {
  await overflowChild(dir, files, {
    async startCore(dataDir, log) {
      const c = await core(dataDir, [{ write: log, close: () => undefined }]);
      return {
        async watch(folder, onQueued) {
          c.bus.on('watcher.event', ({ data }) => data.outcome === 'queued' && onQueued(data.file));
          await c.invoke('watchers.create', { id: 'overflow', name: 'overflow', watch_path: folder, template: 'tick', patterns: ['*.txt'], debounce_ms: DEBOUNCE, queue: 'background' }, ADMIN);
          while (c.watchers.views()[0]?.state !== 'watching') await new Promise((r) => setTimeout(r, 20));
        },
        stop: () => c.stop(),
      };
    },
  });
}

if (process.argv[2] === 'load') await load(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
else if (process.argv[2] === 'overflow-child') await overflowChildMain(process.argv[3]!, Number(process.argv[4]));
else await main();
