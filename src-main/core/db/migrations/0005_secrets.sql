-- Secrets (SPEC section 8). Only names and dates live here, NEVER values: values stay in their
-- backend (OS keychain, environment, secrets.enc).

-- Which secret Desktop Agent stored where, and when. `service` is '' for the default service.
CREATE TABLE secret_entries (
  backend TEXT NOT NULL CHECK (backend IN ('keychain', 'env', 'file')),
  service TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT,
  PRIMARY KEY (backend, service, key)
) WITHOUT ROWID;

-- Lookup counters per minute: one row per backend asked (hit, miss, or could not be asked), and
-- one with backend '*' for the lookup as a whole (hit = some backend had it). Epoch ms (UTC).
CREATE TABLE secret_lookup_counts (
  minute INTEGER NOT NULL,
  backend TEXT NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  misses INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, backend)
) WITHOUT ROWID;
