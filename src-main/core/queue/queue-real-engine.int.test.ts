import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@shared/contract/events';
import type { QueueModule } from './queue-module';
import { asUser, tempCore, until, type TempCore } from '../../../test-support/temp-core';

/** The queue with the real engine and real persisted runs (the scripted-executor tests cover the edge cases). */
const wait = (ms: number, name = 'sleepy') => `dsl_version: "1.1"\nname: ${name}\nsteps:\n  - wait: { ms: ${ms} }\n  - log: { message: "done {{run.id}}" }\n`;
// Ad-hoc template_yaml needs manage_templates (Editor); a Runner runs stored templates.
const runner = asUser('Editor', 'rina');
const admin = asUser('Admin', 'ada');

let t: TempCore | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});


describe('queue with the real engine', () => {
  it('never exceeds max_concurrent while 200 real runs flow, and every run succeeds with its steps stored', async () => {
    t = await tempCore();
    t.core.config.write('orchestrator.yaml', { queues: { default: { max_concurrent: 3 } }, global: { max_total_concurrent: 10 } });
    // Sampled whenever a run or a step starts: how many runs the engine is executing right now.
    const { queue } = t.core.modules.find((m) => m.name === 'queue') as QueueModule;
    const samples: number[] = [];
    t.core.bus.subscribe((e: AgentEvent) => {
      if (e.type === 'run.started' || e.type === 'step.started') samples.push(queue.runningCount);
    });
    const { items } = await t.core.invoke<{ items: { run_id: string }[] }>('runs.enqueueBatch', { runs: Array.from({ length: 200 }, () => ({ template_yaml: wait(2) })) }, runner);
    const count = (status: string) => t!.core.db.prepare('select count(*) from runs where status = ?').pluck().get(status) as number;
    await until('200 runs to finish', () => count('succeeded') === 200, 60_000);
    expect(samples.length).toBeGreaterThanOrEqual(600);
    expect(Math.max(...samples)).toBe(3);
    expect(t.core.db.prepare("select count(*) from run_steps where status = 'succeeded'").pluck().get()).toBe(400);
    expect(items).toHaveLength(200);
  });

  it('starts by priority then FIFO, and a paused queue starts nothing until resumed', async () => {
    t = await tempCore();
    t.core.config.write('orchestrator.yaml', { queues: { default: { max_concurrent: 1 } } });
    await t.core.invoke('queues.pause', { name: 'default' }, admin);
    const order: string[] = [];
    t.core.bus.subscribe((e) => e.type === 'run.started' && order.push((e.data as { runId: string }).runId));
    const ids: string[] = [];
    for (const priority of [7, 2, 9, 2, 5]) ids.push((await t.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: wait(1), priority }, runner)).run_id);
    // An enqueue wakes the dispatcher on the next turn (setImmediate), which would start a run there.
    for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    await t.core.invoke('queues.resume', { name: 'default' }, admin);
    await until('all runs to start', () => order.length === 5);
    expect(order).toEqual([ids[1], ids[3], ids[4], ids[0], ids[2]]);
  });

  it('cancels a running run at a safe point through the API', async () => {
    t = await tempCore();
    const { run_id } = await t.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: wait(60_000) }, runner);
    await until('the run to start', () => t!.core.db.prepare('select status from runs where id = ?').pluck().get(run_id) === 'running');
    await t.core.invoke('runs.cancel', { id: run_id }, asUser('Editor'));
    await until('the run to be cancelled', () => t!.core.db.prepare('select status from runs where id = ?').pluck().get(run_id) === 'cancelled', 10_000);
    const run = await t.core.invoke<{ steps: { action: string; status: string }[] }>('runs.get', { id: run_id }, runner);
    expect(run.steps[0]).toMatchObject({ action: 'wait', status: 'failed' });
    expect(run.steps).toHaveLength(1);
  });
});
