-- total_runs (SPEC section 11) counts every run ever created, including runs removed since by
-- retention or DELETE /api/runs/{id}: a delete adds one to `runs_deleted`, so the figure is
-- count(runs) + runs_deleted, with nothing added to the enqueue path.
INSERT INTO meta(key, value) VALUES ('runs_deleted', '0') ON CONFLICT(key) DO NOTHING;
CREATE TRIGGER runs_deleted_count AFTER DELETE ON runs
BEGIN
  UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'runs_deleted';
END;
-- HITL decisions are counted by when they were made.
CREATE INDEX approvals_decided_at ON approvals(decided_at) WHERE decided_at IS NOT NULL;
-- GET /metrics reads the runs of the last 24 h by creation and by finish: covering indexes make
-- each a range scan of the index alone (same leading columns as the indexes they replace; the
-- finished one is partial, so a running run's status changes never touch it).
DROP INDEX runs_created_at;
CREATE INDEX runs_created_trigger ON runs(created_at, trigger);
DROP INDEX runs_finished_at;
CREATE INDEX runs_finished_figures ON runs(finished_at, status, started_at, attempts) WHERE finished_at IS NOT NULL;
