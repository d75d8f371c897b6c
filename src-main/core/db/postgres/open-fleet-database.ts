import { scrubUrl, whereOf } from './database-url';
import { migratePostgres } from './migrate';
import { openPgPool, type PgPool } from './pool';

/** The fleet database could not be reached or used: one line, naming host:port/database, never the password. */
export class FleetDatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FleetDatabaseError';
  }
}

export interface FleetDatabase {
  pool: PgPool;
  /** `host:port/database`, for messages. */
  where: string;
  /** Migrations this start applied (another node may have applied the rest). */
  applied: number[];
  close(): Promise<void>;
}

export interface OpenFleetOptions {
  /** Shown in pg_stat_activity (the node's name). */
  applicationName?: string;
  /** Connections at most. */
  max?: number;
  /** How long the first connection may take before the server counts as unreachable (default 10 s). */
  connectTimeoutMs?: number;
}

/**
 * A connected, migrated pool on the fleet's PostgreSQL: opens the pool, proves the server answers
 * (a clear one-line error when it does not), then applies the migrations this build has and the
 * database lacks (migrate.ts: under an advisory lock, so nodes starting together apply each once).
 */
export async function openFleetDatabase(url: string, o: OpenFleetOptions = {}): Promise<FleetDatabase> {
  const where = whereOf(url);
  let pool: PgPool;
  try {
    pool = openPgPool(url, { max: o.max, applicationName: o.applicationName, onIdleError: () => undefined, connectionTimeoutMillis: o.connectTimeoutMs ?? 10_000 });
  } catch (e) {
    throw new FleetDatabaseError(scrubUrl((e as Error).message, url));
  }
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new FleetDatabaseError(`Cannot reach the fleet database at ${where}: ${reasonOf(e, url)}`, { cause: e });
  }
  try {
    const { applied } = await migratePostgres(pool);
    return { pool, where, applied, close: () => pool.end() };
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new FleetDatabaseError(`The fleet database at ${where} could not be prepared: ${reasonOf(e, url)}`, { cause: e });
  }
}

/** The driver's reason on one line, without the URL or its password. */
function reasonOf(e: unknown, url: string): string {
  const err = e as NodeJS.ErrnoException & { errors?: Error[] };
  // Node reports a refused connection to several addresses as an AggregateError with no message.
  const text = err.message || err.errors?.map((x) => x.message).join('; ') || err.code || String(e);
  return scrubUrl(text.replace(/\s+/g, ' ').trim(), url);
}
