-- Human-in-the-loop approvals in fleet mode (SQLite migration 0006 with 0007's index, same
-- columns; times are epoch ms). One table for every node: a request recorded by the node that ran
-- the step is listed, decided and counted on any node; the decision moves the row from pending
-- under its row lock, so of two nodes deciding at once one wins (hitl/approval-store-pg.ts).
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
  requested_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'timed_out')),
  decided_by TEXT,
  decided_at BIGINT,
  comment TEXT
);
CREATE INDEX approvals_pending ON approvals(expires_at) WHERE status = 'pending';
CREATE INDEX approvals_run ON approvals(run_id);
CREATE INDEX approvals_requested_at ON approvals(requested_at);
CREATE INDEX approvals_decided_at ON approvals(decided_at) WHERE decided_at IS NOT NULL;
