-- The audit log in fleet mode (SQLite migration 0001, same columns; times are epoch ms). One log
-- for every node. Appends are serialised by a transaction-scoped advisory lock taken before the id
-- is drawn (audit-log-pg.ts), so ids are given in commit order: a reader that has seen id N never
-- later finds an entry below N, and paging by id misses nothing.
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  time BIGINT NOT NULL,
  "user" TEXT,
  action TEXT NOT NULL,
  permission TEXT,
  resource TEXT,
  result TEXT NOT NULL CHECK (result IN ('granted', 'denied', 'ok', 'error')),
  source TEXT NOT NULL,
  details_json TEXT
);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE INDEX audit_log_action_time ON audit_log(action, time);
CREATE INDEX audit_log_user_time ON audit_log("user", time);
CREATE INDEX audit_log_result_time ON audit_log(result, time);
