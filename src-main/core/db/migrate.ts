import type { Database } from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';

export class SchemaTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number, file: string) {
    super(
      `The database ${file} has schema version ${found}, newer than this build of Desktop Agent supports (${supported}). ` +
        'It was written by a newer version: upgrade Desktop Agent, or start with another --data-dir. Nothing was changed.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Applies numbered migrations in order, each in its own transaction, recording the version in
 * `PRAGMA user_version`. Refuses to touch a database from a newer schema.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > latest) throw new SchemaTooNewError(from, latest, file);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
