import type { Database, Statement } from 'better-sqlite3';

export interface LeaseHolder {
  id: string;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/**
 * Leases of running runs: the process executing a run renews its lease; a run whose lease has
 * expired (or whose owner died on this host) is recovered by another process or a restart.
 */
export class RunLeases {
  private readonly renewStmt: Statement<[number, string, string]>;
  private readonly runningStmt: Statement<[]>;
  private readonly expiredStmt: Statement<[number]>;
  private readonly cancelRequestedStmt: Statement<[string]>;
  private readonly requestCancelStmt: Statement<[string]>;

  constructor(private readonly db: Database) {
    this.renewStmt = db.prepare(`update runs set lease_expires_at = ? where id = ? and lease_owner = ? and status = 'running'`);
    this.runningStmt = db.prepare(`select id, lease_owner, lease_expires_at from runs where status = 'running'`);
    this.expiredStmt = db.prepare(`select id, lease_owner, lease_expires_at from runs where status = 'running' and lease_expires_at < ?`);
    this.cancelRequestedStmt = db.prepare(`select id from runs where lease_owner = ? and status = 'running' and cancel_requested = 1`);
    this.requestCancelStmt = db.prepare('update runs set cancel_requested = 1 where id = ?');
  }

  /**
   * Renews the leases of the runs this owner executes right now, in one transaction. Only those:
   * a run whose end could not be recorded must not keep a live lease it no longer deserves.
   */
  renew(ids: readonly string[], owner: string, until: number): number {
    if (!ids.length) return 0;
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) n += this.renewStmt.run(until, id, owner).changes;
      return n;
    })();
  }

  running(): LeaseHolder[] {
    return this.runningStmt.all() as LeaseHolder[];
  }

  expired(now: number): LeaseHolder[] {
    return this.expiredStmt.all(now) as LeaseHolder[];
  }

  /** Runs of this owner that someone asked (through the database) to cancel. */
  cancelRequested(owner: string): string[] {
    return this.cancelRequestedStmt.pluck().all(owner) as string[];
  }

  requestCancel(id: string): void {
    this.requestCancelStmt.run(id);
  }
}
