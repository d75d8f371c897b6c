/**
 * The queue benchmark (SPEC section 15, issues 6 and 18): the same scenarios, side by side in one
 * process tree, on our SQLite queue (through the core API, real engine, persisted runs), on BullMQ
 * with a local redis-server started here, and as bare SQLite writes (the physical limit: the same
 * inserts, claims and finishes in better-sqlite3 with the same schema and pragmas). Prints every
 * figure, the ratio ours/BullMQ, and ours as a fraction of the bare-SQLite limit.
 *
 *   npm run bench -- queue            (or: node dist/bench/queue.js after npm run build)
 *
 * Processing compares like with like: each of our no-op runs executes one `log` step (a JSON log
 * line, a persisted step row); each BullMQ job writes the same log line with the same logger and
 * persists one job log entry (job.log) besides its result.
 *
 * Knobs: BENCH_SINGLE, BENCH_BULK, BENCH_PROCESS, BENCH_CONCURRENCY (a list: "8,64"), BENCH_RATE,
 * BENCH_RATE_SECONDS, BENCH_SCENARIOS (single,bulk,process,latency), BENCH_ONLY=ours|bullmq|raw
 * (one side, for profiling), BENCH_MARKS=1 (scenario times for bench/scripts/profile-summary.mjs).
 */
import { loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { bullmq, startRedis } from './support/queue-bullmq';
import { ours } from './support/queue-ours';
import { rawSqlite } from './support/queue-raw-sqlite';
import { emptyFigures, type QueueBenchConfig, type QueueFigures } from './support/queue-scenarios';
import { printTable, type Row } from './support/report';

const config: QueueBenchConfig = {
  single: Number(process.env.BENCH_SINGLE ?? 5_000),
  bulk: Number(process.env.BENCH_BULK ?? 50_000),
  process: Number(process.env.BENCH_PROCESS ?? 10_000),
  concurrencies: (process.env.BENCH_CONCURRENCY ?? '8,64').split(',').map(Number),
  rate: Number(process.env.BENCH_RATE ?? 200),
  rateSeconds: Number(process.env.BENCH_RATE_SECONDS ?? 5),
  scenarios: new Set((process.env.BENCH_SCENARIOS ?? 'single,bulk,process,latency').split(',')) as QueueBenchConfig['scenarios'],
};

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  const loadBefore = load();
  const redis = only && only !== 'bullmq' ? undefined : await startRedis();
  try {
    const a = only && only !== 'ours' ? emptyFigures() : await ours(config);
    const b = redis ? await bullmq(redis.port, config, redis.child.pid) : emptyFigures();
    const raw = only && only !== 'raw' ? emptyFigures() : await rawSqlite(config);
    printTable(
      `Queue: Desktop Agent (SQLite, core API, real engine) vs BullMQ on redis-server, and the bare-SQLite limit (same machine, same run; load average ${loadBefore} before, ${load()} after, 2 cores)`,
      rows(a, b, raw),
      'BullMQ',
      'bare SQLite',
    );
  } finally {
    redis?.child.kill();
    if (redis) rmSync(redis.dir, { recursive: true, force: true });
  }
}

function rows(a: QueueFigures, b: QueueFigures, raw: QueueFigures): Row[] {
  const c = config;
  const out: Row[] = [
    { what: `single durable enqueue, awaited (${c.single})`, unit: 'runs/s', ours: a.singleRate, peer: b.singleRate, limit: raw.singleRate, higherIsBetter: true, minRatio: 1.5, target: '≥ 1.5× BullMQ' },
    { what: 'single enqueue latency p50', unit: 'ms', ours: a.singleP50, peer: b.singleP50, limit: raw.singleP50, higherIsBetter: false },
    { what: 'single enqueue latency p99', unit: 'ms', ours: a.singleP99, peer: b.singleP99, limit: raw.singleP99, higherIsBetter: false, target: '≤ 1' },
    { what: `bulk enqueue, chunks of 1,000 (${c.bulk})`, unit: 'runs/s', ours: a.bulkRate, peer: b.bulkRate, limit: raw.bulkRate, higherIsBetter: true, target: '≥ 60,000' },
  ];
  for (const n of c.concurrencies) {
    out.push({ what: `no-op runs processed, concurrency ${n} (${c.process})`, unit: 'runs/s', ours: a.processRate.get(n) ?? NaN, peer: b.processRate.get(n) ?? NaN, limit: raw.processRate.get(n), higherIsBetter: true, minRatio: 1.5, target: '≥ 1.5× BullMQ' });
  }
  out.push(
    { what: `enqueue → start p50 at ${c.rate}/s`, unit: 'ms', ours: a.latencyP50, peer: b.latencyP50, limit: raw.latencyP50, higherIsBetter: false },
    { what: `enqueue → start p99 at ${c.rate}/s`, unit: 'ms', ours: a.latencyP99, peer: b.latencyP99, limit: raw.latencyP99, higherIsBetter: false, target: '≤ BullMQ; ≤ 2 idle' },
  );
  // CPU time per run (BullMQ's includes redis-server's): less moved by other load than the rates.
  const cpu = (what: string, ours: number, peer: number, limit: number): Row => ({ what: `CPU per run: ${what}`, unit: 'µs', ours, peer, limit, higherIsBetter: false, met: null });
  out.push(cpu('single enqueue', a.singleCpu, b.singleCpu, raw.singleCpu), cpu('bulk enqueue', a.bulkCpu, b.bulkCpu, raw.bulkCpu));
  for (const n of c.concurrencies) out.push(cpu(`processed, concurrency ${n}`, a.processCpu.get(n) ?? NaN, b.processCpu.get(n) ?? NaN, raw.processCpu.get(n) ?? NaN));
  return out;
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
