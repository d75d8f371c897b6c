/**
 * Namespaces of our transaction-scoped advisory locks (`pg_advisory_xact_lock(namespace, key)`),
 * so one kind of lock never waits on another. The two-int form has a key space of its own, apart
 * from the single-bigint form other software on the same database may use.
 */
export const LOCK_NAMESPACE = {
  /** Schema migrations: one node migrates, the others wait and find the work done. */
  migrate: 0x4441_0001,
  /** A queue's running count, fleet-wide, while a node claims from it (core/runs/postgres). */
  queue: 0x4441_0002,
  /** A concurrency tag's running count, fleet-wide, likewise. */
  tag: 0x4441_0003,
  /** The audit log's append, fleet-wide: ids are drawn in commit order (security/audit/audit-log-pg.ts). */
  audit: 0x4441_0004,
  /**
   * Template texts: an insert of runs holds it shared, the prune of unreferenced texts exclusively,
   * so a prune never deletes the text of a run being inserted (core/runs/postgres).
   */
  templateContents: 0x4441_0005,
} as const;
