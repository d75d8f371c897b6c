import { inTransaction, LOCK_NAMESPACE, type PgPool } from '../../db/postgres';
import type { NewRun } from '../run-insert';
import { triggerJson } from '../run-insert';
import { RUNS_QUEUED_CHANNEL } from './pg-run-row';

const INSERT_RUN = `insert into runs (id, template, template_hash, variables_json, trigger, trigger_json, requested_by,
    queue, priority, concurrency_tag, dry_run, idempotency_key, status, attempts, available_at, enqueued_at, created_at, started_at,
    retry_json, timeout_ms, retry_of, lease_owner, lease_expires_at)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`;

/**
 * Inserting runs in the fleet database: the same meaning as run-insert.ts (all or none, in one
 * transaction, the template text once per content hash), plus a NOTIFY per queue that got a
 * queued run, delivered by PostgreSQL at COMMIT, so every node's dispatcher wakes without polling.
 */
export class PgRunInserts {
  constructor(private readonly pool: PgPool) {}

  async insertMany(runs: readonly NewRun[]): Promise<void> {
    if (!runs.length) return;
    await inTransaction(this.pool, async (client) => {
      // Shared with other inserts; the prune of unreferenced texts waits for it (pg-run-retention.ts).
      await client.query('select pg_advisory_xact_lock_shared($1, 0)', [LOCK_NAMESPACE.templateContents]);
      const hashes = new Map(runs.map((r) => [r.templateHash, r.templateYaml]));
      await client.query('insert into template_contents(hash, yaml) select * from unnest($1::text[], $2::text[]) on conflict (hash) do nothing', [
        [...hashes.keys()],
        [...hashes.values()],
      ]);
      for (const run of runs) await client.query(INSERT_RUN, valuesOf(run));
      const queues = [...new Set(runs.filter((r) => r.status === 'queued').map((r) => r.queue))];
      if (queues.length) await client.query('select pg_notify($1, q) from unnest($2::text[]) q', [RUNS_QUEUED_CHANNEL, queues]);
    });
  }
}

/**
 * The values of INSERT_RUN, in run-insert.ts's order. Kept apart from SQLite's list on purpose: that
 * one binds them straight into the statement with no array between (the enqueue hot path, issue 18).
 */
function valuesOf(run: NewRun): unknown[] {
  const running = run.status === 'running';
  return [
    run.id,
    run.template,
    run.templateHash,
    JSON.stringify(run.variables),
    run.trigger,
    triggerJson(run),
    run.requestedBy,
    run.queue,
    run.priority,
    run.concurrencyTag,
    run.dryRun,
    run.idempotencyKey ?? null,
    run.status,
    running ? 1 : 0,
    run.now,
    run.now,
    run.now,
    running ? run.now : null,
    run.retryJson ?? null,
    run.timeoutMs ?? null,
    run.retryOf ?? null,
    run.leaseOwner ?? null,
    run.leaseExpiresAt ?? null,
  ];
}
