-- Users, sessions and API tokens in fleet mode (SQLite migration 0003, same columns; times are
-- epoch ms): every node signs people and scripts in against one set. Usernames are unique
-- regardless of case (SQLite's COLLATE NOCASE): a unique index on lower(username), and lookups
-- by lower(username). Secrets are stored only as scrypt hashes and SHA-256 digests, as on SQLite.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('Admin', 'Editor', 'Runner', 'Viewer')),
  active BOOLEAN NOT NULL DEFAULT true,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  password_changed_at BIGINT NOT NULL,
  last_login_at BIGINT
);
CREATE UNIQUE INDEX users_username ON users(lower(username));

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
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
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_used_at BIGINT,
  -- Revoked tokens stay (so a script is told "revoked", not "unknown") but never authenticate.
  revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE UNIQUE INDEX api_tokens_user_name ON api_tokens(user_id, name) WHERE revoked_at IS NULL;
