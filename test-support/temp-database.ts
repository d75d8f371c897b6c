import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Database } from '../src-main/core/db/database';

/**
 * Call at the top of a test file: `database()` gives a case a migrated SQLite database in its own
 * temp dir; each is closed and removed after the case.
 */
export function tempDatabases(prefix = 'da-db-'): () => Database {
  const opened: { dir: string; db: Database }[] = [];
  afterEach(() => {
    for (const o of opened.splice(0)) {
      o.db.close();
      rmSync(o.dir, { recursive: true, force: true });
    }
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const db = openDatabase({ file: join(dir, 'da.db') });
    opened.push({ dir, db });
    return db;
  };
}
