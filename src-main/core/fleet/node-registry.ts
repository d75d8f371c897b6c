import type { SqlExecutor } from '../db/postgres/sql-executor';
import type { Clock, Logger } from '../kernel/ports';
import { HEARTBEAT_INTERVAL_MS, nodeStateOf, type NodeState } from './node-states';

/** A node as it registers: who it is and what it can run. */
export interface NodeIdentity {
  id: string;
  name: string;
  labels: readonly string[];
  version: string;
}

export interface NodeView extends NodeIdentity {
  labels: string[];
  started_at: number;
  heartbeat_at: number;
  state: NodeState;
  /** ms since its last heartbeat, by the reader's clock. */
  heartbeat_age_ms: number;
  /** Ids of the runs it holds the lease of now (status running), oldest first. */
  running_runs: string[];
}

export interface NodeRegistryOptions {
  db: SqlExecutor;
  clock: Clock;
  logger?: Logger;
  /** Running runs per node id (the runs module owns that SQL: PgRunLeases.runningByOwner). */
  runningOf(nodeIds: readonly string[]): Promise<Map<string, string[]>>;
}

interface NodeRow {
  id: string;
  name: string;
  labels: string[];
  version: string;
  started_at: number;
  heartbeat_at: number;
}

/**
 * The fleet's nodes in PostgreSQL (table `nodes`, migration 0005): a node registers at start
 * (insert or update of its row: a restart is the same node), heartbeats on the clock, and anyone
 * lists them with their state and running runs. Times are the nodes' clocks, as leases are.
 */
export class NodeRegistry {
  constructor(private readonly o: NodeRegistryOptions) {}

  async register(node: NodeIdentity): Promise<void> {
    const now = this.o.clock.now();
    await this.o.db.query(
      `insert into nodes(id, name, labels, version, started_at, heartbeat_at) values ($1, $2, $3, $4, $5, $5)
       on conflict (id) do update set name = excluded.name, labels = excluded.labels, version = excluded.version,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
      [node.id, node.name, [...node.labels], node.version, now],
    );
  }

  /** Marks the node alive now; false when its row is gone (removed by an operator): register again. */
  async heartbeat(id: string): Promise<boolean> {
    const r = await this.o.db.query('update nodes set heartbeat_at = $2 where id = $1', [id, this.o.clock.now()]);
    return (r.rowCount ?? 0) > 0;
  }

  /**
   * Registers the node and heartbeats every `intervalMs` on the clock until stopped. A failed beat
   * (the database away for a moment) is logged and the next one tried; a missing row is registered
   * again. Beats never overlap: the next is timed from the end of the last.
   */
  async start(node: NodeIdentity, intervalMs = HEARTBEAT_INTERVAL_MS): Promise<{ stop(): Promise<void> }> {
    await this.register(node);
    let stopped = false;
    let timer = this.o.clock.setTimer(intervalMs, () => void beat());
    let beating: Promise<void> = Promise.resolve();
    const beat = () =>
      (beating = (async () => {
        try {
          if (!(await this.heartbeat(node.id))) await this.register(node);
        } catch (e) {
          this.o.logger?.warn(`Node heartbeat failed: ${(e as Error).message}`, { nodeId: node.id });
        }
        if (!stopped) timer = this.o.clock.setTimer(intervalMs, () => void beat());
      })());
    return {
      stop: async () => {
        stopped = true;
        timer.cancel();
        await beating;
      },
    };
  }

  /** Every node with its state (by this clock) and running runs, by name then id. */
  async list(): Promise<NodeView[]> {
    const rows = (await this.o.db.query<NodeRow>('select id, name, labels, version, started_at, heartbeat_at from nodes order by name, id')).rows;
    const running = rows.length ? await this.o.runningOf(rows.map((r) => r.id)) : new Map<string, string[]>();
    const now = this.o.clock.now();
    return rows.map((r) => ({
      ...r,
      state: nodeStateOf(r.heartbeat_at, now),
      heartbeat_age_ms: Math.max(0, now - r.heartbeat_at),
      running_runs: running.get(r.id) ?? [],
    }));
  }
}
