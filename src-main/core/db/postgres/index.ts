/** core/db/postgres: the fleet database (SPEC section 16): the pool, the migrations, lock namespaces. */
export { openPgPool, inTransaction, type PgPool, type PgClient, type PoolOptions } from './pool';
export { migratePostgres, PgSchemaTooNewError } from './migrate';
export { PG_MIGRATIONS, type PgMigration } from './migrations';
export { LOCK_NAMESPACE } from './lock-keys';
export { listen, type Listening, type ListenOptions } from './listen';
export { chooseDatabaseUrl, maskDatabaseUrl, resolveDatabaseUrl, scrubUrl, whereOf, DatabaseUrlError } from './database-url';
export { openFleetDatabase, FleetDatabaseError, type FleetDatabase, type OpenFleetOptions } from './open-fleet-database';
