import type { PgPool } from '../../db/postgres';
import type { RunsStorage } from '../ports';
import type { RunRow } from '../run-row';
import { claimFleet, type FleetClaimLimits } from './fleet-claim';
import { PgRunClaims } from './pg-run-claim';
import { PgRunInserts } from './pg-run-insert';
import { PgRunLeases } from './pg-run-lease';
import { PgRunReads } from './pg-run-reads';
import { PgRunRetention } from './pg-run-retention';

/** A port part whose methods return promises: what 0028 said a PostgreSQL implementation changes. */
export type Promised<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

/**
 * The runs storage on PostgreSQL, so far its insert, claim and lease parts (and the two reads a
 * claim and an idempotent enqueue need): the RunsStorage port's method names and meanings, each
 * returning a promise. The product's callers still use the synchronous SQLite repository; they
 * move to `await` in a later step (docs/decisions/0037-fleet-storage-on-postgres.md).
 */
export class PgRunsStorage {
  readonly insert: Promised<RunsStorage['insert']>;
  readonly claim: Promised<RunsStorage['claim']>;
  readonly lease: Promised<RunsStorage['lease']>;
  readonly read: PgRunReads;
  readonly retention: PgRunRetention;

  constructor(private readonly pool: PgPool) {
    this.insert = new PgRunInserts(pool);
    this.claim = new PgRunClaims(pool);
    this.lease = new PgRunLeases(pool);
    this.read = new PgRunReads(pool);
    this.retention = new PgRunRetention(pool);
  }

  /**
   * The fleet's claim: the single machine's `claimNext(pick, …)` picks from what this process runs;
   * a node must count what the whole fleet runs, under locks, so the pick happens inside
   * (fleet-claim.ts) from the limits it is given.
   */
  claimNext(limits: FleetClaimLimits, owner: string, leaseUntil: number, now: number): Promise<RunRow[]> {
    return claimFleet(this.pool, limits, owner, leaseUntil, now);
  }
}
