import { readFileSync } from 'node:fs';

/** What the queue benchmark measures on each side (ours, BullMQ, bare SQLite); see bench/queue.bench.ts. */

export interface QueueBenchConfig {
  single: number;
  bulk: number;
  process: number;
  /** Processing is measured at each of these concurrencies. */
  concurrencies: number[];
  rate: number;
  rateSeconds: number;
  scenarios: Set<'single' | 'bulk' | 'process' | 'latency'>;
}

export interface QueueFigures {
  singleRate: number;
  singleP50: number;
  singleP99: number;
  bulkRate: number;
  /** runs/s processed, per concurrency. */
  processRate: Map<number, number>;
  latencyP50: number;
  latencyP99: number;
  /** CPU time per run (µs, every thread of the process and, for BullMQ, redis-server's), per scenario. */
  singleCpu: number;
  bulkCpu: number;
  processCpu: Map<number, number>;
}

export function emptyFigures(): QueueFigures {
  return { singleRate: NaN, singleP50: NaN, singleP99: NaN, bulkRate: NaN, processRate: new Map(), latencyP50: NaN, latencyP99: NaN, singleCpu: NaN, bulkCpu: NaN, processCpu: new Map() };
}

/** CPU time (µs) a process has used, from /proc (user + system, in clock ticks of 10 ms). */
function procCpuUs(pid: number): number {
  try {
    // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/**
 * Starts counting CPU time; the returned function gives the µs used since, per run. CPU time is
 * less disturbed by other load on the machine than wall time (issue 18 compares both). With
 * `serverPid` (BullMQ's redis-server), that process's CPU time is added: it does half the work.
 */
export function cpuPerRun(serverPid?: number): (runs: number) => number {
  const start = process.cpuUsage();
  const serverStart = serverPid === undefined ? 0 : procCpuUs(serverPid);
  return (runs) => {
    const used = process.cpuUsage(start);
    const server = serverPid === undefined ? 0 : procCpuUs(serverPid) - serverStart;
    return (used.user + used.system + server) / runs;
  };
}

export const now = (): number => performance.now();

/**
 * With BENCH_MARKS=1, prints where each scenario starts and ends on the clock the V8 CPU profile
 * uses (monotonic µs), so a `node --cpu-prof` profile can be cut to one scenario
 * (bench/scripts/profile-summary.mjs --from/--to).
 */
export function mark(what: string): void {
  if (process.env.BENCH_MARKS) console.error(`mark ${what} ${process.hrtime.bigint() / 1000n}`);
}

/** Calls fn `rate` times a second for `seconds`, on a schedule (not back to back). */
export async function offeredLoad(rate: number, seconds: number, fn: () => void): Promise<void> {
  const total = rate * seconds;
  const start = now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    fn();
  }
}
