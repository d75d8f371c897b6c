import { inTransaction, LOCK_NAMESPACE, type PgPool } from '../../db/postgres';
import { changesOf, rowsOf } from '../../db/postgres/sql-executor';
import type { RunsStorage } from '../ports';
import { FINAL_SQL } from '../run-row';
import type { Promised } from './pg-runs-storage';

/**
 * Deleting finished runs in the fleet database: the same methods and meanings as
 * run-retention.ts (steps go with their run: ON DELETE CASCADE; `runs_deleted` counts them). Any
 * node may prune: each statement deletes only what is finished when it runs, so two nodes pruning
 * at once delete each run once.
 */
export class PgRunRetention implements Promised<RunsStorage['retention']> {
  constructor(private readonly pool: PgPool) {}

  async finishedBefore(cutoff: number, limit: number): Promise<string[]> {
    const rows = await rowsOf<{ id: string }>(this.pool, `select id from runs where status in ${FINAL_SQL} and finished_at < $1 order by finished_at limit $2`, [cutoff, limit]);
    return rows.map((r) => r.id);
  }

  async oldestFinished(limit: number): Promise<string[]> {
    return (await rowsOf<{ id: string }>(this.pool, `select id from runs where status in ${FINAL_SQL} order by finished_at limit $1`, [limit])).map((r) => r.id);
  }

  /** Deletes a batch of runs in one statement (one transaction). */
  async deleteMany(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.pool.query('delete from runs where id = any($1::text[])', [ids]);
  }

  /** Deletes one finished run; false when it is not (or no longer) finished. */
  async deleteFinished(id: string): Promise<boolean> {
    return (await changesOf(this.pool, `delete from runs where id = $1 and status in ${FINAL_SQL}`, [id])) > 0;
  }

  /**
   * Template texts no run refers to any more. An insert of runs on another node may have found its
   * text stored and not yet committed its run: the exclusive lock waits for such inserts (they hold
   * it shared), so the delete sees their runs and keeps their texts.
   */
  async pruneTemplateContents(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1, 0)', [LOCK_NAMESPACE.templateContents]);
      return changesOf(client, 'delete from template_contents t where not exists (select 1 from runs r where r.template_hash = t.hash)');
    });
  }
}
