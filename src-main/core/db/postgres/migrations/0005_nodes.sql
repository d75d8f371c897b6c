-- Fleet nodes (SPEC section 16): every serve or desktop app on the fleet database registers here
-- and heartbeats. id is stable per data dir (<data-dir>/node-id); name and labels are what
-- `execution.runs_on` matches. Times are epoch ms by the node's clock (as leases are).
create table nodes (
  id text primary key,
  name text not null,
  labels text[] not null default '{}',
  version text not null,
  started_at bigint not null,
  heartbeat_at bigint not null
);
create index nodes_name on nodes(name);

-- What a run requires of the node that claims it (`execution.runs_on`: labels and/or node
-- names, every one satisfied); null = any node. Owned by core/runs like the rest of the table.
alter table runs add column runs_on text[];
