/** The queue benchmark's scenarios on our queue: through the core API, the real engine, runs persisted. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../src-main/core/app/create-core';
import { packageInfo } from '../../src-main/core/kernel/package-root';
import { resolvePaths } from '../../src-main/core/kernel/paths';
import { nativeBindingPath } from '../../src-main/core/db/native-binding';
import type { QueueModule } from '../../src-main/core/queue/queue-module';
import { percentile } from './report';
import { cpuPerRun, emptyFigures, mark, now, offeredLoad, type QueueBenchConfig, type QueueFigures } from './queue-scenarios';

export const NOOP_TEMPLATE = 'dsl_version: "1.1"\nname: noop\nsteps:\n  - log: { message: "no-op" }\n';

function writeConfig(core: Core, concurrency: number): void {
  core.config.write('orchestrator.yaml', {
    // Enqueue scenarios fill the paused `background` queue; processing uses `default`.
    queues: { default: { max_concurrent: concurrency, max_queued: 1_000_000 }, background: { max_concurrent: 1, max_queued: 1_000_000, paused: true } },
    global: { max_total_concurrent: concurrency },
    retention: { runs_days: 90, max_db_mb: 1_048_576 },
  });
}

export async function ours(c: QueueBenchConfig): Promise<QueueFigures> {
  const f = emptyFigures();
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-'));
  const { root, version } = packageInfo();
  // The log level the product runs with: the `log` step's line is written, as BullMQ's job writes its own.
  const core: Core = await createCore({ paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(root, 'configs') }), version, nativeBinding: nativeBindingPath(root), logLevel: 'info' });
  writeConfig(core, c.concurrencies[0] ?? 8);
  await core.start();
  const { queue } = core.modules.find((m) => m.name === 'queue') as QueueModule;
  const origin = { trigger: 'api', requestedBy: 'bench' };
  try {
    if (c.scenarios.has('single')) {
      // Single durable enqueues, one transaction each, awaited one by one (into the paused queue).
      mark('single start');
      const lat: number[] = [];
      const cpu = cpuPerRun();
      const t0 = now();
      for (let i = 0; i < c.single; i++) {
        const s = now();
        queue.enqueue({ template_yaml: NOOP_TEMPLATE, variables: { i }, queue: 'background' }, origin);
        await Promise.resolve();
        lat.push(now() - s);
      }
      f.singleRate = c.single / ((now() - t0) / 1000);
      f.singleCpu = cpu(c.single);
      f.singleP50 = percentile(lat, 50);
      f.singleP99 = percentile(lat, 99);
      mark('single end');
    }

    if (c.scenarios.has('bulk')) {
      // Bulk: chunks of 1,000 in one transaction each.
      mark('bulk start');
      const cpu = cpuPerRun();
      const t1 = now();
      for (let i = 0; i < c.bulk; i += 1000) {
        queue.enqueueMany(Array.from({ length: Math.min(1000, c.bulk - i) }, (_, j) => ({ template_yaml: NOOP_TEMPLATE, variables: { i: i + j }, queue: 'background' })), origin);
      }
      f.bulkRate = c.bulk / ((now() - t1) / 1000);
      f.bulkCpu = cpu(c.bulk);
      mark('bulk end');
    }

    if (c.scenarios.has('process')) {
      // Processing: no-op runs (one persisted log step each) through the real engine, queued while
      // the queue is paused, then timed from the resume to the last run.finished.
      for (const concurrency of c.concurrencies) {
        writeConfig(core, concurrency);
        queue.pauseQueue('default', 'bench');
        for (let i = 0; i < c.process; i += 1000) {
          queue.enqueueMany(Array.from({ length: Math.min(1000, c.process - i) }, () => ({ template_yaml: NOOP_TEMPLATE })), origin);
        }
        let finished = 0;
        const done = new Promise<void>((resolve) => {
          const off = core.bus.subscribe((e) => {
            if (e.type === 'run.finished' && ++finished === c.process) {
              off();
              resolve();
            }
          });
        });
        mark(`process-${concurrency} start`);
        const cpu = cpuPerRun();
        const t2 = now();
        queue.resumeQueue('default', 'bench');
        await done;
        f.processRate.set(concurrency, c.process / ((now() - t2) / 1000));
        f.processCpu.set(concurrency, cpu(c.process));
        mark(`process-${concurrency} end`);
      }
      writeConfig(core, c.concurrencies[0] ?? 8);
    }

    if (c.scenarios.has('latency')) {
      // Enqueue → start latency at a fixed offered rate, idle slots.
      mark('latency start');
      const enqueuedAt = new Map<string, number>();
      const latency: number[] = [];
      const off = core.bus.subscribe((e) => {
        if (e.type === 'run.started') {
          const at = enqueuedAt.get((e.data as { runId: string }).runId);
          if (at !== undefined) latency.push(now() - at);
        }
      });
      await offeredLoad(c.rate, c.rateSeconds, () => {
        const s = now();
        const r = queue.enqueue({ template_yaml: NOOP_TEMPLATE }, origin);
        enqueuedAt.set(r.run_id, s);
      });
      await new Promise((r) => setTimeout(r, 500));
      off();
      f.latencyP50 = percentile(latency, 50);
      f.latencyP99 = percentile(latency, 99);
      mark('latency end');
    }
    return f;
  } finally {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
