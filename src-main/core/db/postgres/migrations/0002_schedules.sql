-- The scheduler's state in fleet mode (SQLite migration 0008, same columns; times are epoch ms).
-- schedule_fires' unique (schedule_id, scheduled_at) is the fleet-wide claim: every node inserts
-- the time with ON CONFLICT DO NOTHING and only the node whose row went in fires it (no leader).
-- handled_by says which node that was.
CREATE TABLE schedule_state (
  schedule_id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  next_at BIGINT,
  last_run_id TEXT,
  updated_at BIGINT NOT NULL
);

CREATE TABLE schedule_fires (
  id BIGSERIAL PRIMARY KEY,
  schedule_id TEXT NOT NULL,
  scheduled_at BIGINT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('fired', 'caught_up', 'missed', 'skipped', 'waiting', 'failed')),
  handled_at BIGINT NOT NULL,
  handled_by TEXT,
  run_id TEXT,
  error TEXT,
  folded_count INTEGER NOT NULL DEFAULT 1,
  folded_until BIGINT,
  UNIQUE (schedule_id, scheduled_at)
);
CREATE INDEX schedule_fires_by_time ON schedule_fires(schedule_id, scheduled_at DESC);
CREATE INDEX schedule_fires_handled ON schedule_fires(handled_at);
CREATE INDEX schedule_fires_waiting ON schedule_fires(schedule_id, scheduled_at) WHERE outcome = 'waiting';
