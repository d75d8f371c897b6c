-- The effective retry policy of a run (template's execution.retry over its queue's retry_policy),
-- fixed at enqueue so a config change never rewrites a waiting run's rules.
ALTER TABLE runs ADD COLUMN retry_json TEXT;
-- Per-run timeout (template execution.timeout_ms).
ALTER TABLE runs ADD COLUMN timeout_ms INTEGER;
-- A re-run of a finished run points at the original.
ALTER TABLE runs ADD COLUMN retry_of TEXT;
-- Why a paused run was paused from, so resume knows it was running.
ALTER TABLE runs ADD COLUMN paused_from TEXT;

-- Pending runs by queue in dispatch order (priority, then FIFO by enqueue time, then insertion).
CREATE INDEX runs_queued ON runs(queue, priority, enqueued_at) WHERE status = 'queued';
CREATE INDEX runs_retry_due ON runs(available_at) WHERE status = 'retry_wait';
CREATE INDEX runs_running_lease ON runs(lease_expires_at) WHERE status = 'running';

-- A queue paused by a person (survives restarts).
CREATE TABLE queue_state (
  name TEXT PRIMARY KEY,
  paused INTEGER NOT NULL DEFAULT 0,
  paused_by TEXT,
  paused_at INTEGER
);

-- Depth and running per queue, the maximum seen in each minute (for queue_depth_peak_24h).
CREATE TABLE queue_samples (
  minute INTEGER NOT NULL,
  queue TEXT NOT NULL,
  depth_max INTEGER NOT NULL,
  running_max INTEGER NOT NULL,
  PRIMARY KEY (minute, queue)
) WITHOUT ROWID;
