-- Users, sessions, API tokens and failed sign-ins (SPEC section 7). Times are epoch ms (UTC).
-- No secret is stored in a form that can be used: passwords are scrypt hashes with their salt and
-- parameters, session and API tokens are SHA-256 digests.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('Admin', 'Editor', 'Runner', 'Viewer')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  last_login_at INTEGER
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  -- Where the session was opened: an IP address or `ipc`.
  source TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  -- Revoked tokens stay (so a script is told "revoked", not "unknown") but never authenticate.
  revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE UNIQUE INDEX api_tokens_user_name ON api_tokens(user_id, name) WHERE revoked_at IS NULL;

-- Failed sign-ins, for per-user and per-source back-off; pruned past the window.
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  username TEXT NOT NULL COLLATE NOCASE,
  source TEXT NOT NULL
);
CREATE INDEX login_failures_user_time ON login_failures(username, time);
CREATE INDEX login_failures_source_time ON login_failures(source, time);
