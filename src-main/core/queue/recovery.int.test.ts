import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '@shared/domain/ids';
import { openDatabase } from '../db/database';
import { RunRepository } from '../runs';
import type { QueueModule } from './queue-module';
import { tempCore, until, type TempCore } from '../../../test-support/temp-core';

/**
 * Crash recovery from the step journal (issue 21 items 6 and 7), on a real core and database: a
 * run left `running` by a dead process is re-queued when no step with a side effect started, and
 * failed with `interrupted during` when one did; a run whose end cannot be written is never left
 * `running` with a live lease, and is recorded once the database takes writes again.
 */

let t: TempCore | undefined;
let sink: Server | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
  sink?.close();
});

/** A pid that certainly belongs to no process (a child that has exited). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function startSink(): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  sink = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.end('ok');
  });
  await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(sink.address() as { port: number }).port}`, hits };
}

/** A run left `running` by a process that died (its lease still looks valid for a minute). */
function leftRunning(dir: string, yaml: string, started?: { index: number; action: string }): string {
  const db = openDatabase({ file: join(dir, 'desktop-agent.db') });
  const runs = new RunRepository(db);
  const now = Date.now();
  const id = newId('run', now);
  runs.startLocal({
    id,
    template: 'crashed',
    templateHash: createHash('sha256').update(yaml).digest('hex'),
    templateYaml: yaml,
    variables: {},
    trigger: 'api',
    requestedBy: 'tester',
    queue: 'default',
    priority: 5,
    concurrencyTag: null,
    dryRun: false,
    now,
    leaseOwner: `${hostname()}/${deadPid()}/q`,
    leaseExpiresAt: now + 60_000,
  });
  if (started) runs.markStepStarted({ runId: id, index: started.index, stepId: null, action: started.action, status: 'running', params: null, result: null, error: null, errorCode: null, attempt: 1, startedAt: now, finishedAt: null, durationMs: null, artifacts: [] });
  db.close();
  return id;
}


// Read with SQL (a test may look at the table), so the test reads the same on the code before this change.
const runRow = (t: TempCore, id: string) => {
  t.core.writes.flush();
  return t.core.db.prepare('select * from runs where id = ?').get(id) as { status: string; error: string | null; error_code: string | null; lease_owner: string | null; lease_expires_at: number | null };
};

describe('recovery from the step journal', () => {
  it('re-queues a run whose first step (a POST) never started, and it then succeeds with one request', async () => {
    const s = await startSink();
    const dir = mkdtempSync(join(tmpdir(), 'da-recovery-'));
    const id = leftRunning(dir, `dsl_version: "1.1"\nname: crashed\nsteps:\n  - make_request: { url: "${s.url}/post", method: POST, body: x }\n`);
    t = await tempCore({ dir });
    const done = await until('the run to finish', () => ['succeeded', 'failed'].includes(runRow(t!, id).status) && runRow(t!, id));
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(s.hits).toEqual(['POST /post']);
  });

  it('fails a run whose non-idempotent step had started, with "interrupted during", and does not send it again', async () => {
    const s = await startSink();
    const dir = mkdtempSync(join(tmpdir(), 'da-recovery-'));
    const id = leftRunning(dir, `dsl_version: "1.1"\nname: crashed\nsteps:\n  - make_request: { url: "${s.url}/post", method: POST, body: x }\n`, { index: 0, action: 'make_request' });
    t = await tempCore({ dir });
    const done = await until('the run to finish', () => ['succeeded', 'failed'].includes(runRow(t!, id).status) && runRow(t!, id));
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^interrupted during steps\[0\] make_request: the step may have had its effect/);
    expect(done.error_code).toBe('INTERRUPTED');
    expect(s.hits).toEqual([]);
  });
});

describe('a write failure (read-only database)', () => {
  it('leaves no run running with a live lease, logs the cause, and records the run (failed) once writes work again', async () => {
    t = await tempCore({ fakeClock: true });
    const clock = t.clock!;
    const queue = (t.core.modules.find((m) => m.name === 'queue') as QueueModule).queue;
    const { run_id: id } = queue.enqueue({ template_yaml: 'dsl_version: "1.1"\nname: wait-then-log\nsteps:\n  - wait: { ms: 1000 }\n  - log: { message: after }\n' }, { trigger: 'api', requestedBy: 'tester' });
    await until('the wait step to run', () => runRow(t!, id).status === 'running' && clock.pendingTimers() > 0);
    // From here SQLite refuses every write with SQLITE_READONLY, as a database on a read-only mount would.
    t.core.db.pragma('query_only = 1');
    await clock.advanceAsync(1_000);
    await until('the failure to be logged', () => t!.logs.lines.some((l) => l.includes(`Could not record that run ${id}`)));
    const logged = t.logs.lines.filter((l) => l.includes(id)).join('\n');
    expect(logged).toMatch(/attempt to write a readonly database/);
    expect(queue.queues().find((q) => q.name === 'default')!.running).toBe(0);
    // Its lease is not renewed while the end cannot be written: it expires.
    await clock.advanceAsync(20_000);
    const stuck = runRow(t, id);
    expect(stuck.status).toBe('running');
    expect(stuck.lease_expires_at!).toBeLessThan(clock.now());
    // Writes work again: the next heartbeat records the end. Its step record was lost, so it fails with the cause.
    t.core.db.pragma('query_only = 0');
    await clock.advanceAsync(5_000);
    const ended = await until('the end to be recorded', () => runRow(t!, id).status !== 'running' && runRow(t!, id));
    expect(ended).toMatchObject({ status: 'failed', error_code: 'STORAGE_ERROR', lease_owner: null });
    expect(ended.error).toMatch(/step records could not be written \(attempt to write a readonly database\)/);
    t.core.writes.flush();
    expect(t.core.db.prepare("select count(*) from runs where status = 'running'").pluck().get()).toBe(0);
  });
});
