-- Folder watchers (SPEC section 6). watcher_files is the durable ledger: per watcher, every file
-- it has seen, with the size, mtime and inode it had when it was handled, so a restart hands over
-- nothing twice and a file that arrived (or changed) while the app was closed is handled on start.
-- The enqueue and the ledger row are written in one transaction. watcher_state remembers which
-- folder and patterns the ledger was taken for (a new watcher takes the files already there as its
-- baseline unless process_existing). watcher_events is each watcher's history (no file contents).
CREATE TABLE watcher_state (
  watcher_id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE watcher_files (
  watcher_id TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  ino TEXT NOT NULL,
  -- baseline: there before the watcher; queued: a run was queued; ignored: its event is not one the
  -- watcher runs for; failed: the queue refused the run (retried on the next start or reload).
  status TEXT NOT NULL CHECK (status IN ('baseline', 'queued', 'ignored', 'failed')),
  event TEXT,
  run_id TEXT,
  error TEXT,
  handled_at INTEGER NOT NULL,
  PRIMARY KEY (watcher_id, path)
) WITHOUT ROWID;

CREATE TABLE watcher_events (
  id INTEGER PRIMARY KEY,
  watcher_id TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('created', 'modified', 'deleted', 'moved')),
  path TEXT NOT NULL,
  from_path TEXT,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('queued', 'failed')),
  run_id TEXT,
  error TEXT
);
CREATE INDEX watcher_events_recent ON watcher_events(watcher_id, at DESC);
CREATE INDEX watcher_events_at ON watcher_events(at);
