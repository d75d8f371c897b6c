-- Templates saved through the API/UI (files in <config-dir>/templates are read too).
CREATE TABLE templates (
  name TEXT PRIMARY KEY,
  yaml TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT
);

-- Template texts by content hash, stored once however many runs execute them (a run row stays
-- small, so writing it costs a page or two, not the template again).
CREATE TABLE template_contents (
  hash TEXT PRIMARY KEY,
  yaml TEXT NOT NULL
);

-- A run of a template (SPEC section 4). Times are epoch ms (UTC); the API sends ISO-8601.
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  template TEXT NOT NULL,
  -- The exact template content this run executes (template_contents), so later edits never change a queued run.
  template_hash TEXT NOT NULL,
  -- Variables as requested, with secret values masked.
  variables_json TEXT NOT NULL DEFAULT '{}',
  -- manual | api | schedule:<id> | watcher:<id> | webhook:<id>
  trigger TEXT NOT NULL,
  -- What started the run, as `trigger.*` in templates.
  trigger_json TEXT NOT NULL DEFAULT '{}',
  requested_by TEXT,
  queue TEXT NOT NULL DEFAULT 'default',
  priority INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 9),
  concurrency_tag TEXT,
  dry_run INTEGER NOT NULL DEFAULT 0,
  idempotency_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled',
                                         'paused', 'waiting_approval', 'retry_wait', 'interrupted')),
  attempts INTEGER NOT NULL DEFAULT 0,
  attempt_history_json TEXT NOT NULL DEFAULT '[]',
  -- Where a resumed run continues (after an approval or a pause) and the engine state to resume with.
  next_step INTEGER NOT NULL DEFAULT 0,
  state_json TEXT,
  -- Earliest start (the due time in retry_wait); FIFO order within a priority.
  available_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  error TEXT,
  error_code TEXT,
  -- The process that runs it and until when its lease holds (crash recovery).
  lease_owner TEXT,
  lease_expires_at INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX runs_idempotency_key ON runs(idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_created_at ON runs(created_at);
CREATE INDEX runs_finished_at ON runs(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX runs_template_created ON runs(template, created_at);

-- One row per step of a run, written as the step goes (params and results masked).
CREATE TABLE run_steps (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  step_id TEXT,
  action TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  params_json TEXT,
  result_json TEXT,
  error TEXT,
  error_code TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  started_at INTEGER,
  finished_at INTEGER,
  duration_ms INTEGER,
  artifacts_json TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (run_id, idx)
);
