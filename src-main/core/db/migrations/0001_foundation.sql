-- Key/value facts about this installation (first start time, instance id).
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Every authentication, permission decision and change (SPEC section 7). Times are epoch ms (UTC).
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  user TEXT,
  action TEXT NOT NULL,
  permission TEXT,
  resource TEXT,
  result TEXT NOT NULL CHECK (result IN ('granted', 'denied', 'ok', 'error')),
  source TEXT NOT NULL,
  details_json TEXT
);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE INDEX audit_log_action_time ON audit_log(action, time);
CREATE INDEX audit_log_user_time ON audit_log(user, time);
CREATE INDEX audit_log_result_time ON audit_log(result, time);
