import type { PgPool } from '../../db/postgres';
import type { QueueHead } from '../run-claim';
import type { RunRow } from '../run-row';
import { PG_RUN_COLUMNS, RUNS_QUEUED_CHANNEL, runRowsOf } from './pg-run-row';

/** The claim's update by seq, skipping rows another transaction holds (a cancel, another claim). */
export const CLAIM_BY_SEQ = `update runs set status = 'running', lease_owner = $1, lease_expires_at = $2, started_at = coalesce(started_at, $3),
    attempts = attempts + 1, cancel_requested = false
  where seq in (select seq from runs where seq = any($4::bigint[]) and status = 'queued' for update skip locked)
  returning ${PG_RUN_COLUMNS}`;

/**
 * Finding and taking queued runs in the fleet database: the same methods and meanings as
 * run-claim.ts, returning promises. `rowid` of a head is its `seq`, which (unlike SQLite's rowid
 * within one transaction) names the run for good. The fleet's own claim, with fleet-wide limits,
 * is fleet-claim.ts.
 */
export class PgRunClaims {
  constructor(private readonly pool: PgPool) {}

  /** `blockedTagsJson`: the tags at their limit (a JSON array), or null when no tag has a limit. */
  async heads(queue: string, priority: number, blockedTagsJson: string | null, limit: number): Promise<QueueHead[]> {
    const blocked = blockedTagsJson ? (JSON.parse(blockedTagsJson) as string[]) : [];
    const r = await this.pool.query<unknown[]>({
      text: `select ${PG_RUN_COLUMNS} from runs
        where queue = $1 and status = 'queued' and priority = $2 and (concurrency_tag is null or not (concurrency_tag = any($3::text[])))
        order by enqueued_at, seq limit $4`,
      values: [queue, priority, blocked, limit],
      rowMode: 'array',
    });
    return runRowsOf(r);
  }

  /** Takes the queued runs among `ids` for this owner, in one statement; the claimed rows. */
  async claimBatch(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<RunRow[]> {
    if (!ids.length) return [];
    const seqs = await this.pool.query<{ seq: number }>('select seq from runs where id = any($1::text[])', [ids]);
    const r = await this.pool.query<unknown[]>({ text: CLAIM_BY_SEQ, values: [owner, leaseUntil, now, seqs.rows.map((s) => s.seq)], rowMode: 'array' });
    const order = new Map(ids.map((id, i) => [id, i]));
    return runRowsOf(r).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  /** Retries whose time has come go back in line (at their due time's place); the nodes are told. */
  async promoteDue(now: number): Promise<{ id: string; queue: string; priority: number }[]> {
    const r = await this.pool.query<{ id: string; queue: string; priority: number }>(
      `with promoted as (
         update runs set status = 'queued', enqueued_at = available_at where status = 'retry_wait' and available_at <= $1
         returning id, queue, priority),
       told as (select pg_notify($2, q) from (select distinct queue as q from promoted) d)
       select id, queue, priority from promoted, (select count(*) from told) t`,
      [now, RUNS_QUEUED_CHANNEL],
    );
    return r.rows;
  }

  async nextDue(): Promise<number | null> {
    const r = await this.pool.query<{ due: number | null }>(`select min(available_at) as due from runs where status = 'retry_wait'`);
    return r.rows[0]?.due ?? null;
  }

  /** Which (queue, priority) levels hold queued runs now. */
  async queuedLevels(): Promise<{ queue: string; priority: number }[]> {
    return (await this.pool.query<{ queue: string; priority: number }>(`select distinct queue, priority from runs where status = 'queued'`)).rows;
  }

  /** Waiting runs (queued and retry_wait) per queue. */
  async depths(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ queue: string; n: number }>(`select queue, count(*)::int as n from runs where status in ('queued', 'retry_wait') group by queue`);
    return new Map(r.rows.map((x) => [x.queue, x.n]));
  }
}
