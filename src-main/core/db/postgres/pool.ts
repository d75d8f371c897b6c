import pg from 'pg';

/**
 * A connection pool to the fleet's PostgreSQL (SPEC section 16) from a `postgres://` URL. bigint
 * columns (our epoch-ms times, counts) come back as JS numbers, not strings: every value we store
 * fits in 2^53, and one that does not is an error, never a silently rounded time.
 */
export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

const INT8_OID = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`A bigint from PostgreSQL (${text}) does not fit a JavaScript number`);
  return n;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Connections at most (pg's default is 10). */
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell the nodes' connections apart. */
  applicationName?: string;
  /** An idle connection failed (the server restarted or dropped it); the pool replaces it. */
  onIdleError?: (e: Error) => void;
  /** How long opening a connection may take (pg's default: no limit). */
  connectionTimeoutMillis?: number;
}

/** Checks the URL's form (a typo must not become a connection to some default database). */
export function openPgPool(url: string, o: PoolOptions = {}): PgPool {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`The database URL is not a URL (expected postgres://user:password@host:port/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`The database URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`);
  }
  if (parsed.pathname.length <= 1) throw new Error(`The database URL names no database (expected postgres://…/<database>)`);
  const pool = new pg.Pool({ connectionString: url, max: o.max ?? 10, application_name: o.applicationName ?? 'desktop-agent', types, connectionTimeoutMillis: o.connectionTimeoutMillis });
  // An idle connection that the server drops (restart, failover) must not crash the process:
  // the pool discards it and the next query opens a new one.
  pool.on('error', (e) => o.onIdleError?.(e));
  return pool;
}

/** Runs fn in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    }
  } finally {
    client.release();
  }
}
