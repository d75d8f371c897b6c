/**
 * The physical limit beside each figure: the same writes in bare better-sqlite3 on a database
 * with the same schema (every migration), pragmas (openDatabase: WAL, synchronous=NORMAL) and
 * checkpoint worker as the core, with none of the queue around them. A run is an insert, a claim
 * (an UPDATE found by the heads query) and a finish (its step row and the run's end, one INSERT
 * and one UPDATE); processing commits them in
 * the transactions ours uses at that concurrency: one claim of `concurrency` runs, then one commit
 * of their steps and ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { newId } from '../../src-shared/domain/ids';
import { startCheckpointer } from '../../src-main/core/db/checkpointer';
import { openDatabase } from '../../src-main/core/db/database';
import { nativeBindingPath } from '../../src-main/core/db/native-binding';
import { packageInfo } from '../../src-main/core/kernel/package-root';
import { percentile } from './report';
import { cpuPerRun, emptyFigures, mark, now, type QueueBenchConfig, type QueueFigures } from './queue-scenarios';

const RETRY = JSON.stringify({ max_attempts: 3, backoff: 'exponential', base_delay_ms: 1000, max_delay_ms: 60000, jitter: true });
const LATENCY_SAMPLES = 1_000;

class RawRuns {
  private readonly insert: Statement;
  private readonly heads: Statement<[string, number]>;
  private readonly claim: Statement<[string, number, number, number]>;
  private readonly rowidOf: Statement<[string]>;
  private readonly step: Statement;
  private readonly finish: Statement;

  constructor(private readonly db: Database) {
    db.prepare('insert or ignore into template_contents(hash, yaml) values (?, ?)').run('noop', 'noop');
    this.insert = db.prepare(`insert into runs (id, template, template_hash, variables_json, trigger, trigger_json, requested_by, queue, priority,
        concurrency_tag, dry_run, idempotency_key, status, attempts, available_at, enqueued_at, created_at, retry_json)
      values (?, 'noop', 'noop', ?, 'api', '{"type":"api"}', 'bench', ?, 5, null, 0, null, 'queued', 0, ?, ?, ?, ?)`);
    this.heads = db.prepare(`select rowid, id from runs where queue = ? and status = 'queued' and priority = 5 order by enqueued_at, rowid limit ?`);
    this.claim = db.prepare(`update runs set status = 'running', lease_owner = ?, lease_expires_at = ?, started_at = coalesce(started_at, ?),
        attempts = attempts + 1, cancel_requested = 0 where rowid = ? and status = 'queued'`);
    this.rowidOf = db.prepare('select rowid from runs where id = ?');
    this.step = db.prepare(`insert into run_steps (run_id, idx, step_id, action, status, params_json, result_json, attempt, started_at, finished_at, duration_ms, artifacts_json)
      values (?, 0, null, 'log', 'succeeded', '{"message":"no-op","level":"info"}', '{"logged":true}', 1, ?, ?, 0, '[]')`);
    this.finish = db.prepare(`update runs set status = 'succeeded', finished_at = ?, next_step = 1, state_json = '{"v":1,"steps":[],"scratch":{}}',
        lease_owner = null, lease_expires_at = null, attempt_history_json = ? where id = ?`);
  }

  insertOne(queue: string, i: number): string {
    const at = Date.now();
    const id = newId('run', at);
    this.insert.run(id, JSON.stringify({ i }), queue, at, at, at, RETRY);
    return id;
  }

  /** Claims by rowid (as ours does, in the transaction that found them). */
  claimRowids(rowids: readonly number[]): void {
    const at = Date.now();
    for (const rowid of rowids) this.claim.run('raw', at + 15_000, at, rowid);
  }

  claimId(id: string): void {
    this.claimRowids([this.rowidOf.pluck().get(id) as number]);
  }

  claimHeads(queue: string, limit: number): string[] {
    const heads = this.heads.all(queue, limit) as { rowid: number; id: string }[];
    this.claimRowids(heads.map((h) => h.rowid));
    return heads.map((h) => h.id);
  }

  finishAll(ids: readonly string[]): void {
    const at = Date.now();
    const history = JSON.stringify([{ attempt: 1, started_at: new Date(at).toISOString(), finished_at: new Date(at).toISOString(), status: 'succeeded', error: null, error_code: null }]);
    for (const id of ids) {
      this.step.run(id, at, at);
      this.finish.run(at, history, id);
    }
  }
}

export async function rawSqlite(c: QueueBenchConfig): Promise<QueueFigures> {
  const f = emptyFigures();
  const dir = mkdtempSync(join(tmpdir(), 'da-bench-raw-'));
  const file = join(dir, 'raw.db');
  const nativeBinding = nativeBindingPath(packageInfo().root);
  const db = openDatabase({ file, nativeBinding });
  const checkpointer = await startCheckpointer({ file, nativeBinding, onError: (m) => console.error(`raw SQLite checkpoint: ${m}`) });
  db.pragma('wal_autocheckpoint = 0');
  const raw = new RawRuns(db);
  // IMMEDIATE, as ours: a transaction that reads before it writes must hold the write lock from the start.
  const tx = <A extends unknown[], R>(fn: (...a: A) => R) => db.transaction(fn).immediate;
  const insertChunk = tx((queue: string, from: number, n: number) => {
    for (let j = 0; j < n; j++) raw.insertOne(queue, from + j);
  });
  try {
    if (c.scenarios.has('single')) {
      mark('raw single start');
      const insertOne = tx((i: number) => raw.insertOne('background', i));
      const lat: number[] = [];
      const cpu = cpuPerRun();
      const t0 = now();
      for (let i = 0; i < c.single; i++) {
        const s = now();
        insertOne(i);
        lat.push(now() - s);
      }
      f.singleRate = c.single / ((now() - t0) / 1000);
      f.singleCpu = cpu(c.single);
      f.singleP50 = percentile(lat, 50);
      f.singleP99 = percentile(lat, 99);
      mark('raw single end');
    }

    if (c.scenarios.has('bulk')) {
      const cpu = cpuPerRun();
      const t1 = now();
      for (let i = 0; i < c.bulk; i += 1000) insertChunk('background', i, Math.min(1000, c.bulk - i));
      f.bulkRate = c.bulk / ((now() - t1) / 1000);
      f.bulkCpu = cpu(c.bulk);
    }

    if (c.scenarios.has('process')) {
      const claim = tx((limit: number) => raw.claimHeads('default', limit));
      const finish = tx((ids: string[]) => raw.finishAll(ids));
      for (const concurrency of c.concurrencies) {
        for (let i = 0; i < c.process; i += 1000) insertChunk('default', i, Math.min(1000, c.process - i));
        const cpu = cpuPerRun();
        const t2 = now();
        for (let ids = claim(concurrency); ids.length; ids = claim(concurrency)) finish(ids);
        f.processRate.set(concurrency, c.process / ((now() - t2) / 1000));
        f.processCpu.set(concurrency, cpu(c.process));
      }
    }

    if (c.scenarios.has('latency')) {
      // Enqueue → start: one committed insert, then one committed claim of that run.
      const insertOne = tx((i: number) => raw.insertOne('default', i));
      const claim = tx((id: string) => raw.claimId(id));
      const finish = tx((ids: string[]) => raw.finishAll(ids));
      const latency: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const s = now();
        const id = insertOne(i);
        claim(id);
        latency.push(now() - s);
        finish([id]);
      }
      f.latencyP50 = percentile(latency, 50);
      f.latencyP99 = percentile(latency, 99);
    }
    return f;
  } finally {
    await checkpointer.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
