-- The cron scheduler (SPEC section 6). schedule_state holds, per enabled schedule, the next
-- *scheduled* time not yet handled: a restart, a sleep or a slow machine resumes from it, so no
-- time is lost or fired twice. schedule_fires is each schedule's history, missed times included
-- (catch_up), one row per scheduled time (a long run of missed times may be folded into one row
-- with its count and last time).
CREATE TABLE schedule_state (
  schedule_id TEXT PRIMARY KEY,
  -- cron and zone the next time was computed with; a changed schedule starts afresh from now.
  fingerprint TEXT NOT NULL,
  next_at INTEGER,
  last_run_id TEXT,
  updated_at INTEGER NOT NULL
);

CREATE TABLE schedule_fires (
  id INTEGER PRIMARY KEY,
  schedule_id TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  -- fired: on time; caught_up: a missed time run late (catch_up once/all); missed: not run;
  -- skipped: the previous run was still active (overlap skip); waiting: queued behind it (overlap
  -- queue) until it finishes; failed: the queue refused the run (error says why).
  outcome TEXT NOT NULL CHECK (outcome IN ('fired', 'caught_up', 'missed', 'skipped', 'waiting', 'failed')),
  handled_at INTEGER NOT NULL,
  run_id TEXT,
  error TEXT,
  folded_count INTEGER NOT NULL DEFAULT 1,
  folded_until INTEGER,
  UNIQUE (schedule_id, scheduled_at)
);
CREATE INDEX schedule_fires_by_time ON schedule_fires(schedule_id, scheduled_at DESC);
CREATE INDEX schedule_fires_handled ON schedule_fires(handled_at);
CREATE INDEX schedule_fires_waiting ON schedule_fires(schedule_id, scheduled_at) WHERE outcome = 'waiting';
