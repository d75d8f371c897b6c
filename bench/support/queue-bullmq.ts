/** The queue benchmark's scenarios on BullMQ with a redis-server of its own (the peer). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { RotatingFileSink, createLogger } from '../../src-main/core/kernel/logger';
import { percentile } from './report';
import { cpuPerRun, emptyFigures, mark, now, offeredLoad, type QueueBenchConfig, type QueueFigures } from './queue-scenarios';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Redis with appendonly yes / appendfsync everysec: like our WAL with synchronous=NORMAL, an
 * acknowledged write survives a crash of the process but may be lost on power failure.
 */
export async function startRedis(): Promise<{ port: number; child: ChildProcess; dir: string }> {
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

export async function bullmq(port: number, c: QueueBenchConfig, redisPid?: number): Promise<QueueFigures> {
  const f = emptyFigures();
  const connection = { host: '127.0.0.1', port };
  const logDir = mkdtempSync(join(tmpdir(), 'da-bench-bull-'));
  const sink = new RotatingFileSink(join(logDir, 'bullmq.log'));
  const log = createLogger({ sinks: [sink] }, 'Engine');
  const name = `bench-${process.pid}`;
  const q = new Queue(name, { connection });
  await q.waitUntilReady();
  try {
    if (c.scenarios.has('single')) {
      mark('bullmq single start');
      const lat: number[] = [];
      const cpu = cpuPerRun(redisPid);
      const t0 = now();
      for (let i = 0; i < c.single; i++) {
        const s = now();
        await q.add('noop', { i });
        lat.push(now() - s);
      }
      f.singleRate = c.single / ((now() - t0) / 1000);
      f.singleCpu = cpu(c.single);
      f.singleP50 = percentile(lat, 50);
      f.singleP99 = percentile(lat, 99);
      mark('bullmq single end');
    }

    if (c.scenarios.has('bulk')) {
      const cpu = cpuPerRun(redisPid);
      const t1 = now();
      for (let i = 0; i < c.bulk; i += 1000) {
        await q.addBulk(Array.from({ length: Math.min(1000, c.bulk - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
      }
      f.bulkRate = c.bulk / ((now() - t1) / 1000);
      f.bulkCpu = cpu(c.bulk);
    }
    await q.obliterate({ force: true });

    if (c.scenarios.has('process')) {
      for (const concurrency of c.concurrencies) {
        for (let i = 0; i < c.process; i += 1000) {
          await q.addBulk(Array.from({ length: Math.min(1000, c.process - i) }, () => ({ name: 'noop', data: {} })));
        }
        let completed = 0;
        const cpu = cpuPerRun(redisPid);
        const t2 = now();
        await new Promise<void>((resolve) => {
          // The same work as one of our no-op runs: one step that writes a JSON log line and is
          // persisted with the job (job.log stores it in Redis, as our step row is stored in SQLite).
          const worker = new Worker(
            name,
            async (job: Job) => {
              log.info('no-op', { jobId: job.id });
              await job.log('log: no-op');
              return { logged: true };
            },
            { connection, concurrency },
          );
          worker.on('completed', () => {
            if (++completed === c.process) {
              resolve();
              void worker.close();
            }
          });
        });
        f.processRate.set(concurrency, c.process / ((now() - t2) / 1000));
        f.processCpu.set(concurrency, cpu(c.process));
        await q.obliterate({ force: true });
      }
    }

    if (c.scenarios.has('latency')) {
      const latency: number[] = [];
      const worker = new Worker(
        name,
        async (job: Job<{ t: number }>) => {
          latency.push(performance.timeOrigin + now() - job.data.t);
        },
        { connection, concurrency: c.concurrencies[0] ?? 8 },
      );
      await worker.waitUntilReady();
      await offeredLoad(c.rate, c.rateSeconds, () => {
        void q.add('timed', { t: performance.timeOrigin + now() });
      });
      await new Promise((r) => setTimeout(r, 500));
      await worker.close();
      f.latencyP50 = percentile(latency, 50);
      f.latencyP99 = percentile(latency, 99);
    }
    return f;
  } finally {
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
    sink.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
