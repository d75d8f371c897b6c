-- Failure clusters (SPEC section 10), owned by core/clusters. A cluster is a rule id or a mined
-- AUTO_<hash>; its template is kept so the miner restarts with the same clusters.
create table failure_clusters (
  id text primary key,
  source text not null check (source in ('builtin', 'custom', 'mined')),
  template text not null,
  display_name text not null,
  severity text not null,
  recommended_actions_json text not null,
  total_count integer not null default 0,
  first_seen integer not null,
  last_seen integer not null,
  resolved_at integer,
  resolved_by text
);

-- One row per classified failure. run_id is not a foreign key: retention may delete the run,
-- the occurrence (and the cluster's history) stays.
create table failure_occurrences (
  id integer primary key,
  cluster_id text not null references failure_clusters(id),
  run_id text not null,
  template text,
  step_index integer,
  action text,
  message text not null,
  message_template text not null,
  error_code text,
  at integer not null
);
create index failure_occurrences_cluster_at on failure_occurrences(cluster_id, at);
create index failure_occurrences_at on failure_occurrences(at);
create index failure_occurrences_run on failure_occurrences(run_id);
