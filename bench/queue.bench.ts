/**
 * The queue benchmark (SPEC section 15, issue 6): the same scenarios, side by side in one process
 * tree, against our SQLite queue (through the core API, real engine, persisted runs) and BullMQ
 * on a local redis-server started here. Prints every figure and the ratio ours/BullMQ.
 *
 *   npm run bench -- queue            (or: node dist/bench/queue.js after npm run build)
 *
 * Processing compares like with like: each of our no-op runs executes one `log` step (a JSON log
 * line, a persisted step row); each BullMQ job writes the same log line and persists one job log
 * entry (job.log) besides its result.
 *
 * Redis runs with appendonly yes / appendfsync everysec: like our WAL with synchronous=NORMAL,
 * an acknowledged write survives a crash of the process but may be lost on power failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { createCore, type Core } from '../src-main/core/app/create-core';
import { RotatingFileSink, createLogger } from '../src-main/core/kernel/logger';
import { packageInfo } from '../src-main/core/kernel/package-root';
import { resolvePaths } from '../src-main/core/kernel/paths';
import { nativeBindingPath } from '../src-main/core/db/native-binding';
import type { QueueModule } from '../src-main/core/queue/queue-module';
import { percentile, printTable, type Row } from './support/report';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 5_000);
const BULK = Number(process.env.BENCH_BULK ?? 50_000);
const PROCESS = Number(process.env.BENCH_PROCESS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 5);

const NOOP_TEMPLATE = 'dsl_version: "1.1"\nname: noop\nsteps:\n  - log: { message: "no-op" }\n';

interface Figures {
  singleRate: number;
  singleP50: number;
  singleP99: number;
  bulkRate: number;
  processRate: number;
  latencyP50: number;
  latencyP99: number;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRedis(): Promise<{ port: number; child: ChildProcess; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return { port, child, dir };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start (is it installed? apt-get install redis-server)');
}

const now = () => performance.now();

// ---- ours --------------------------------------------------------------------------------

async function ours(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-'));
  const { root, version } = packageInfo();
  const core: Core = await createCore({
    paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(root, 'configs') }),
    version,
    nativeBinding: nativeBindingPath(root),
    logLevel: 'warn',
  });
  core.config.write('orchestrator.yaml', {
    // Enqueue scenarios fill the paused `background` queue; processing uses `default`.
    queues: { default: { max_concurrent: CONCURRENCY, max_queued: 1_000_000 }, background: { max_concurrent: 1, max_queued: 1_000_000, paused: true } },
    global: { max_total_concurrent: CONCURRENCY },
    retention: { runs_days: 90, max_db_mb: 1_048_576 },
  });
  await core.start();
  const { queue } = core.modules.find((m) => m.name === 'queue') as QueueModule;
  const origin = { trigger: 'api', requestedBy: 'bench' };
  try {
    // Single durable enqueues, one transaction each, awaited one by one (into the paused queue).
    const lat: number[] = [];
    const t0 = now();
    for (let i = 0; i < SINGLE; i++) {
      const s = now();
      queue.enqueue({ template_yaml: NOOP_TEMPLATE, variables: { i }, queue: 'background' }, origin);
      await Promise.resolve();
      lat.push(now() - s);
    }
    const singleRate = SINGLE / ((now() - t0) / 1000);

    // Bulk: chunks of 1,000 in one transaction each.
    const t1 = now();
    for (let i = 0; i < BULK; i += 1000) {
      queue.enqueueMany(Array.from({ length: Math.min(1000, BULK - i) }, (_, j) => ({ template_yaml: NOOP_TEMPLATE, variables: { i: i + j }, queue: 'background' })), origin);
    }
    const bulkRate = BULK / ((now() - t1) / 1000);

    // Processing: PROCESS no-op runs (one persisted log step each) through the real engine.
    queue.pauseQueue('default', 'bench');
    for (let i = 0; i < PROCESS; i += 1000) {
      queue.enqueueMany(Array.from({ length: Math.min(1000, PROCESS - i) }, () => ({ template_yaml: NOOP_TEMPLATE })), origin);
    }
    let finished = 0;
    const done = new Promise<void>((resolve) => {
      const off = core.bus.subscribe((e) => {
        if (e.type === 'run.finished' && ++finished === PROCESS) {
          off();
          resolve();
        }
      });
    });
    const t2 = now();
    queue.resumeQueue('default', 'bench');
    await done;
    const processRate = PROCESS / ((now() - t2) / 1000);

    // Enqueue → start latency at a fixed offered rate, idle slots.
    const enqueuedAt = new Map<string, number>();
    const latency: number[] = [];
    const off = core.bus.subscribe((e) => {
      if (e.type === 'run.started') {
        const at = enqueuedAt.get((e.data as { runId: string }).runId);
        if (at !== undefined) latency.push(now() - at);
      }
    });
    await offeredLoad(RATE, RATE_SECONDS, () => {
      const s = now();
      const r = queue.enqueue({ template_yaml: NOOP_TEMPLATE }, origin);
      enqueuedAt.set(r.run_id, s);
    });
    await new Promise((r) => setTimeout(r, 500));
    off();
    return { singleRate, singleP50: percentile(lat, 50), singleP99: percentile(lat, 99), bulkRate, processRate, latencyP50: percentile(latency, 50), latencyP99: percentile(latency, 99) };
  } finally {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- BullMQ ------------------------------------------------------------------------------

async function bullmq(port: number): Promise<Figures> {
  const connection = { host: '127.0.0.1', port };
  const logDir = mkdtempSync(join(tmpdir(), 'da-bench-bull-'));
  const sink = new RotatingFileSink(join(logDir, 'bullmq.log'));
  const log = createLogger({ sinks: [sink] }, 'Engine');
  const name = `bench-${process.pid}`;
  const q = new Queue(name, { connection });
  await q.waitUntilReady();
  try {
    const lat: number[] = [];
    const t0 = now();
    for (let i = 0; i < SINGLE; i++) {
      const s = now();
      await q.add('noop', { i });
      lat.push(now() - s);
    }
    const singleRate = SINGLE / ((now() - t0) / 1000);

    const t1 = now();
    for (let i = 0; i < BULK; i += 1000) {
      await q.addBulk(Array.from({ length: Math.min(1000, BULK - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
    }
    const bulkRate = BULK / ((now() - t1) / 1000);
    await q.obliterate({ force: true });

    for (let i = 0; i < PROCESS; i += 1000) {
      await q.addBulk(Array.from({ length: Math.min(1000, PROCESS - i) }, () => ({ name: 'noop', data: {} })));
    }
    let completed = 0;
    const t2 = now();
    const done = new Promise<void>((resolve) => {
      // The same work as one of our no-op runs: one step that writes a JSON log line and is
      // persisted with the job (job.log stores it in Redis, as our step row is stored in SQLite).
      const worker = new Worker(
        name,
        async (job: Job) => {
          log.info('no-op', { jobId: job.id });
          await job.log('log: no-op');
          return { logged: true };
        },
        { connection, concurrency: CONCURRENCY },
      );
      worker.on('completed', () => {
        if (++completed === PROCESS) {
          resolve();
          void worker.close();
        }
      });
    });
    await done;
    const processRate = PROCESS / ((now() - t2) / 1000);

    const latency: number[] = [];
    const worker = new Worker(
      name,
      async (job: Job<{ t: number }>) => {
        latency.push(performance.timeOrigin + now() - job.data.t);
      },
      { connection, concurrency: CONCURRENCY },
    );
    await worker.waitUntilReady();
    await offeredLoad(RATE, RATE_SECONDS, () => {
      void q.add('timed', { t: performance.timeOrigin + now() });
    });
    await new Promise((r) => setTimeout(r, 500));
    await worker.close();
    return { singleRate, singleP50: percentile(lat, 50), singleP99: percentile(lat, 99), bulkRate, processRate, latencyP50: percentile(latency, 50), latencyP99: percentile(latency, 99) };
  } finally {
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
    sink.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** Calls fn `rate` times a second for `seconds`, on a schedule (not back to back). */
async function offeredLoad(rate: number, seconds: number, fn: () => void): Promise<void> {
  const total = rate * seconds;
  const start = now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    fn();
  }
}

async function main(): Promise<void> {
  const redis = await startRedis();
  try {
    // BENCH_ONLY=ours|bullmq runs one side (for profiling); the table then compares with NaN.
    const only = process.env.BENCH_ONLY;
    const none: Figures = { singleRate: NaN, singleP50: NaN, singleP99: NaN, bulkRate: NaN, processRate: NaN, latencyP50: NaN, latencyP99: NaN };
    const a = only === 'bullmq' ? none : await ours();
    const b = only === 'ours' ? none : await bullmq(redis.port);
    const rows: Row[] = [
      { what: `single durable enqueue, awaited (${SINGLE})`, unit: 'runs/s', ours: a.singleRate, peer: b.singleRate, higherIsBetter: true, target: '≥ 5,000' },
      { what: 'single enqueue latency p50', unit: 'ms', ours: a.singleP50, peer: b.singleP50, higherIsBetter: false },
      { what: 'single enqueue latency p99', unit: 'ms', ours: a.singleP99, peer: b.singleP99, higherIsBetter: false, target: '≤ 1' },
      { what: `bulk enqueue, chunks of 1,000 (${BULK})`, unit: 'runs/s', ours: a.bulkRate, peer: b.bulkRate, higherIsBetter: true, target: '≥ 50,000' },
      { what: `no-op runs processed, concurrency ${CONCURRENCY} (${PROCESS})`, unit: 'runs/s', ours: a.processRate, peer: b.processRate, higherIsBetter: true, target: '≥ 1,000' },
      { what: `enqueue → start p50 at ${RATE}/s`, unit: 'ms', ours: a.latencyP50, peer: b.latencyP50, higherIsBetter: false },
      { what: `enqueue → start p99 at ${RATE}/s`, unit: 'ms', ours: a.latencyP99, peer: b.latencyP99, higherIsBetter: false, target: '≤ 5' },
    ];
    printTable('Queue: Desktop Agent (SQLite, core API, real engine) vs BullMQ on redis-server (same machine, same run)', rows);
  } finally {
    redis.child.kill();
    rmSync(redis.dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
