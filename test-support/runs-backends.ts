import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orchestratorSchema, resolveOrchestrator } from '@shared/config/orchestrator';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { openDatabase, type Database } from '../src-main/core/db/database';
import { migratePostgres, openPgPool, type PgPool } from '../src-main/core/db/postgres';
import { pickBatch } from '../src-main/core/queue/pick-batch';
import { ApprovalStore, type ApprovalStorePort } from '../src-main/core/hitl/approval-store';
import { PgApprovalStore } from '../src-main/core/hitl/approval-store-pg';
import { RunRepository, type RunRow } from '../src-main/core/runs';
import { PgRunsStorage, type FleetClaimLimits } from '../src-main/core/runs/postgres';
import { CLUSTER_START_BOUND_MS, startPostgres, type TestPostgres } from './postgres';

/**
 * The runs storage on both backends for the conformance suites (SPEC section 16): SQLite in a temp
 * dir per case, and PostgreSQL on one throw-away cluster per test file (started in a hook of the
 * file that calls `runsBackends()`), emptied after each case. Every call is awaited, so the
 * synchronous SQLite repository runs the same cases.
 */
export interface RunsBackend {
  name: 'SQLite' | 'PostgreSQL';
  storage: RunRepository | PgRunsStorage;
  /**
   * Each backend's whole claim: on SQLite the port's claimNext with the dispatcher's pick
   * (core/queue/pick-batch.ts) over what runs, on PostgreSQL the fleet claim.
   */
  claimNext(limits: FleetClaimLimits, owner: string, leaseUntil: number, now: number): Promise<RunRow[]>;
  /** Fixture: sets columns of a run directly (the state a test starts from). */
  set(id: string, columns: Record<string, string | number | null>): Promise<void>;
  /** Fixture: the rows of a query (to check what was stored), or [] for a statement that returns none. */
  rows<T>(sql: string, ...args: unknown[]): Promise<T[]>;
  /** HITL's approvals store on the same database, deciding through `storage`. */
  approvals: ApprovalStorePort;
  /** Another process (SQLite) or node (PostgreSQL) on the same database: its runs storage and approvals store. */
  another(): { storage: RunRepository | PgRunsStorage; approvals: ApprovalStorePort };
  close(): Promise<void>;
}

export type MakeBackend = () => RunsBackend;

/** `describe.each` rows: both backends; registers the hooks that start and stop the PostgreSQL cluster. */
export function runsBackends(): (readonly [RunsBackend['name'], MakeBackend])[] {
  let server: TestPostgres | undefined;
  let pool: PgPool | undefined;
  const extraPools: PgPool[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    pool = openPgPool(server.url, { max: 4 });
    await migratePostgres(pool);
  }, CLUSTER_START_BOUND_MS);
  afterAll(async () => {
    await Promise.all(extraPools.splice(0).map((p) => p.end()));
    await pool?.end();
    await server?.stop();
  });
  const postgres = (): RunsBackend => {
    const p = pool!;
    const storage = new PgRunsStorage(p);
    return {
      name: 'PostgreSQL',
      storage,
      approvals: new PgApprovalStore(p, storage),
      claimNext: (limits, owner, leaseUntil, now) => storage.claimNext(limits, owner, leaseUntil, now),
      set: async (id, columns) => {
        const names = Object.keys(columns);
        await p.query(`update runs set ${names.map((c, i) => `${c} = $${i + 2}`).join(', ')} where id = $1`, [id, ...Object.values(columns)]);
      },
      rows: async <T>(sql: string, ...args: unknown[]) => (await p.query(pgPlaceholders(sql), args)).rows as T[],
      another: () => {
        const other = openPgPool(server!.url, { max: 2 });
        extraPools.push(other);
        const otherStorage = new PgRunsStorage(other);
        return { storage: otherStorage, approvals: new PgApprovalStore(other, otherStorage) };
      },
      close: async () => {
        await p.query('truncate runs, run_steps, template_contents, approvals restart identity');
      },
    };
  };
  return [
    ['SQLite', sqliteRunsBackend],
    ['PostgreSQL', postgres],
  ];
}

/**
 * `describe.each` over both backends, `%s` in the title naming each: `body` gets the backend of
 * the running case (a fresh one per case, closed after it), as an object that stands for it.
 */
export function describeOnRunsBackends(title: string, body: (b: RunsBackend) => void): void {
  describe.each(runsBackends())(title, (_name, make) => {
    let current: RunsBackend | undefined;
    beforeEach(() => {
      current = make();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    body(
      new Proxy({} as RunsBackend, {
        get: (_target, key) => {
          if (!current) throw new Error('The backend exists only inside a test');
          return current[key as keyof RunsBackend];
        },
      }),
    );
  });
}

/** `?` placeholders as PostgreSQL's `$n`, so a fixture query reads the same on both backends. */
function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function sqliteRunsBackend(): RunsBackend {
  const dir = mkdtempSync(join(tmpdir(), 'da-conformance-'));
  const file = join(dir, 'da.db');
  const db = openDatabase({ file });
  const repo = new RunRepository(db);
  const others: Database[] = [];
  return {
    name: 'SQLite',
    storage: repo,
    approvals: new ApprovalStore(db, repo),
    claimNext: async (limits, owner, leaseUntil, now) => sqliteClaim(repo, limits, owner, leaseUntil, now),
    set: async (id, columns) => {
      const names = Object.keys(columns);
      db.prepare(`update runs set ${names.map((c) => `${c} = ?`).join(', ')} where id = ?`).run(...Object.values(columns), id);
    },
    rows: async <T>(sql: string, ...args: unknown[]) => {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...args) as T[];
      statement.run(...args);
      return [];
    },
    another: () => {
      const other = openDatabase({ file });
      others.push(other);
      const otherRepo = new RunRepository(other);
      return { storage: otherRepo, approvals: new ApprovalStore(other, otherRepo) };
    },
    close: async () => {
      for (const o of others) o.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sqliteClaim(repo: RunRepository, limits: FleetClaimLimits, owner: string, leaseUntil: number, now: number): RunRow[] {
  if (limits.slots <= 0) return [];
  const config = resolveOrchestrator(
    orchestratorSchema.parse({
      queues: Object.fromEntries(Object.entries(limits.queues).map(([q, n]) => [q, { max_concurrent: n }])),
      concurrency_tags: limits.tags,
      global: { max_total_concurrent: limits.slots, aging_ms: limits.agingMs },
    }),
  );
  const running = repo.lease.running().map((h) => repo.read.mustRow(h.id)).map((r) => ({ queue: r.queue, tag: r.concurrency_tag }));
  const depths = repo.claim.depths();
  const levels = new Map<string, Set<number>>();
  for (const l of repo.claim.queuedLevels()) levels.set(l.queue, (levels.get(l.queue) ?? new Set()).add(l.priority));
  const pick = () =>
    pickBatch({
      config,
      now,
      running,
      runningCount: 0,
      depth: (q) => depths.get(q) ?? 0,
      paused: (q) => !(q in limits.queues),
      levels,
      heads: (q, p, blocked, limit) => repo.claim.heads(q, p, blocked, limit),
    });
  return repo.claimNext(pick, owner, leaseUntil, now);
}
