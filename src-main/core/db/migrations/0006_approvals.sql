-- Human-in-the-loop approvals (SPEC section 9): one row per human_confirm a run stopped at.
-- The run's state holds the request the engine resumes with; this table is what people see,
-- decide and count (hitl_* metrics), and it survives restarts with its deadline.
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  template TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT,
  risk_level TEXT NOT NULL,
  required_role TEXT NOT NULL,
  auto_action TEXT NOT NULL,
  requested_by TEXT,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'timed_out')),
  decided_by TEXT,
  decided_at INTEGER,
  comment TEXT
);
CREATE INDEX approvals_pending ON approvals(expires_at) WHERE status = 'pending';
CREATE INDEX approvals_run ON approvals(run_id);
CREATE INDEX approvals_requested_at ON approvals(requested_at);
