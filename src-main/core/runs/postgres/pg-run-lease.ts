import type { PgPool } from '../../db/postgres';
import type { LeaseHolder } from '../run-lease';

/**
 * Leases of running runs in the fleet database: the same methods and meanings as run-lease.ts,
 * returning promises. A node renews the leases of the runs it executes; a run whose lease has
 * expired (its node died or lost the database) is recovered by another node.
 */
export class PgRunLeases {
  constructor(private readonly pool: PgPool) {}

  /** Renews only this owner's running runs, in one statement; how many were renewed. */
  async renew(ids: readonly string[], owner: string, until: number): Promise<number> {
    if (!ids.length) return 0;
    const r = await this.pool.query(`update runs set lease_expires_at = $1 where id = any($2::text[]) and lease_owner = $3 and status = 'running'`, [until, ids, owner]);
    return r.rowCount ?? 0;
  }

  async running(): Promise<LeaseHolder[]> {
    return (await this.pool.query<LeaseHolder>(`select id, lease_owner, lease_expires_at from runs where status = 'running'`)).rows;
  }

  async expired(now: number): Promise<LeaseHolder[]> {
    return (await this.pool.query<LeaseHolder>(`select id, lease_owner, lease_expires_at from runs where status = 'running' and lease_expires_at < $1`, [now])).rows;
  }

  /** The running runs each of these owners (fleet nodes) holds, oldest start first; an owner with none is absent. */
  async runningByOwner(owners: readonly string[]): Promise<Map<string, string[]>> {
    const r = await this.pool.query<{ owner: string; ids: string[] }>(
      `select lease_owner as owner, array_agg(id order by started_at, seq) as ids from runs
        where status = 'running' and lease_owner = any($1::text[]) group by lease_owner`,
      [owners],
    );
    return new Map(r.rows.map((x) => [x.owner, x.ids]));
  }

  /** Runs of this owner that someone (on any node) asked to cancel. */
  async cancelRequested(owner: string): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>(`select id from runs where lease_owner = $1 and status = 'running' and cancel_requested`, [owner]);
    return r.rows.map((x) => x.id);
  }

  async requestCancel(id: string): Promise<void> {
    await this.pool.query('update runs set cancel_requested = true where id = $1', [id]);
  }
}
