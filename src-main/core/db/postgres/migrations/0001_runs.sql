-- The runs domain in the fleet database (SPEC sections 4, 5 and 16), owned by core/runs.
-- Times are epoch ms (UTC) in bigint, as the code computes them; flags are boolean. The JSON
-- columns are text: no statement looks into them, and each is read back byte for byte as the
-- code wrote it. A column becomes jsonb in the migration that adds the first query into it.

-- Template texts by content hash, stored once however many runs execute them.
create table template_contents (
  hash text primary key,
  yaml text not null
);

create table runs (
  -- Insertion order, the tie-break after enqueued_at that SQLite's rowid gives (claim order).
  seq bigint generated always as identity unique,
  id text primary key,
  template text not null,
  template_hash text not null,
  variables_json text not null default '{}',
  -- manual | api | schedule:<id> | watcher:<id> | webhook:<id>
  trigger text not null,
  trigger_json text not null default '{}',
  requested_by text,
  queue text not null default 'default',
  priority smallint not null default 5 check (priority between 1 and 9),
  concurrency_tag text,
  dry_run boolean not null default false,
  idempotency_key text,
  status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled',
                                         'paused', 'waiting_approval', 'retry_wait', 'interrupted')),
  attempts integer not null default 0,
  attempt_history_json text not null default '[]',
  next_step integer not null default 0,
  state_json text,
  -- Earliest start (the due time in retry_wait); FIFO order within a priority.
  available_at bigint not null,
  enqueued_at bigint not null,
  created_at bigint not null,
  started_at bigint,
  finished_at bigint,
  error text,
  error_code text,
  -- The node process that runs it and until when its lease holds; another node recovers the run
  -- once the lease has expired.
  lease_owner text,
  lease_expires_at bigint,
  cancel_requested boolean not null default false,
  retry_json text,
  timeout_ms bigint,
  retry_of text,
  paused_from text
);
create unique index runs_idempotency_key on runs(idempotency_key) where idempotency_key is not null;
-- The claim: queued runs per queue in dispatch order (priority, then FIFO, then insertion).
create index runs_queued on runs(queue, priority, enqueued_at, seq) where status = 'queued';
create index runs_retry_due on runs(available_at) where status = 'retry_wait';
-- Fleet-wide running counts per queue and tag (under the claim's locks), and expired leases.
create index runs_running on runs(queue, concurrency_tag) where status = 'running';
create index runs_running_lease on runs(lease_expires_at) where status = 'running';
create index runs_created_trigger on runs(created_at, trigger);
create index runs_finished_figures on runs(finished_at, status, started_at, attempts) where finished_at is not null;
create index runs_template_created on runs(template, created_at);

-- One row per step of a run, written as the step goes (params and results masked).
create table run_steps (
  run_id text not null references runs(id) on delete cascade,
  idx integer not null,
  step_id text,
  action text not null,
  status text not null check (status in ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  params_json text,
  result_json text,
  error text,
  error_code text,
  attempt integer not null default 1,
  started_at bigint,
  finished_at bigint,
  duration_ms bigint,
  artifacts_json text not null default '[]',
  -- The step journal: false = recorded as started before a side effect (repeating it is not
  -- safe), true = repeating it is harmless, null = not recorded.
  idempotent boolean,
  primary key (run_id, idx)
);

-- total_runs counts runs removed since by retention or DELETE: each delete statement adds the
-- rows it removed (one row, updated per statement, not per run).
create table runs_deleted (
  one boolean primary key default true check (one),
  n bigint not null
);
insert into runs_deleted(one, n) values (true, 0);
create function count_deleted_runs() returns trigger language plpgsql as $$
begin
  update runs_deleted set n = n + (select count(*) from gone);
  return null;
end $$;
create trigger runs_deleted_count after delete on runs
  referencing old table as gone for each statement execute function count_deleted_runs();
