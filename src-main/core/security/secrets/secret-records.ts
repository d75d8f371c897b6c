import type { Database } from 'better-sqlite3';
import type { SecretRef } from '@shared/domain/secret-ref';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Lookup counters older than this are dropped. */
const KEEP_MS = 8 * DAY;

export interface EntryRecord {
  backend: string;
  service: string | undefined;
  key: string;
  createdAt: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface LookupOutcome {
  /** Each backend asked, in order, and what it answered. */
  asked: { backend: string; result: 'hit' | 'miss' | 'error' }[];
  found: boolean;
}

export interface LookupCounts {
  lookups: number;
  hits: number;
  misses: number;
  /** Per backend: answered with the value, answered without it, could not be asked. */
  backends: Record<string, { hits: number; misses: number; errors: number }>;
}

/** The secrets tables of migration 0005: names and dates of stored secrets, lookup counters. Never values. */
export class SecretRecords {
  private readonly upsertEntry;
  private readonly deleteEntry;
  private readonly bump;
  private lastPrune = 0;

  constructor(private readonly db: Database) {
    this.upsertEntry = db.prepare(
      `insert into secret_entries(backend, service, key, created_at, updated_at, updated_by) values (?, ?, ?, ?, ?, ?)
       on conflict(backend, service, key) do update set updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
    this.deleteEntry = db.prepare('delete from secret_entries where backend = ? and service = ? and key = ?');
    this.bump = db.prepare(
      `insert into secret_lookup_counts(minute, backend, hits, misses, errors) values (?, ?, ?, ?, ?)
       on conflict(minute, backend) do update set hits = hits + excluded.hits, misses = misses + excluded.misses, errors = errors + excluded.errors`,
    );
  }

  /** The database's write lock held around fn (serializes secrets.enc writers across processes). */
  withWriteLock<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  stored(backend: string, ref: SecretRef, at: number, by: string | null): void {
    this.upsertEntry.run(backend, ref.service ?? '', ref.key, at, at, by);
  }

  removed(backend: string, ref: SecretRef): void {
    this.deleteEntry.run(backend, ref.service ?? '', ref.key);
  }

  entries(): EntryRecord[] {
    return (
      this.db.prepare('select backend, service, key, created_at, updated_at, updated_by from secret_entries').all() as {
        backend: string;
        service: string;
        key: string;
        created_at: number;
        updated_at: number;
        updated_by: string | null;
      }[]
    ).map((r) => ({ backend: r.backend, service: r.service || undefined, key: r.key, createdAt: r.created_at, updatedAt: r.updated_at, updatedBy: r.updated_by }));
  }

  /** Services Desktop Agent has stored keychain secrets under (the keychain cannot list services). */
  keychainServices(): string[] {
    return this.db.prepare("select distinct service from secret_entries where backend = 'keychain' and service != ''").pluck().all() as string[];
  }

  countLookup(at: number, outcome: LookupOutcome): void {
    const minute = Math.floor(at / MINUTE) * MINUTE;
    this.db.transaction(() => {
      this.bump.run(minute, '*', outcome.found ? 1 : 0, outcome.found ? 0 : 1, 0);
      for (const a of outcome.asked) this.bump.run(minute, a.backend, a.result === 'hit' ? 1 : 0, a.result === 'miss' ? 1 : 0, a.result === 'error' ? 1 : 0);
      if (at - this.lastPrune > 60 * MINUTE) {
        this.lastPrune = at;
        this.db.prepare('delete from secret_lookup_counts where minute < ?').run(at - KEEP_MS);
      }
    })();
  }
}

/** Lookups over the last 24 hours, counted by whole minutes (`secrets_lookups_24h`, GET /api/secrets/status). */
export function secretLookupCounts(db: Database, now: number, windowMs = DAY): LookupCounts {
  // Whole minutes that lie inside the window.
  const since = now - windowMs;
  const rows = db
    .prepare('select backend, sum(hits) as hits, sum(misses) as misses, sum(errors) as errors from secret_lookup_counts where minute >= ? and minute <= ? group by backend')
    .all(since, now) as { backend: string; hits: number; misses: number; errors: number }[];
  const out: LookupCounts = { lookups: 0, hits: 0, misses: 0, backends: {} };
  for (const r of rows) {
    if (r.backend === '*') Object.assign(out, { lookups: r.hits + r.misses, hits: r.hits, misses: r.misses });
    else out.backends[r.backend] = { hits: r.hits, misses: r.misses, errors: r.errors };
  }
  return out;
}

/** The figure of GET /metrics (SPEC section 11): secret lookups in the last 24 hours. */
export function secretsLookups24h(db: Database, now: number): number {
  return secretLookupCounts(db, now).lookups;
}
