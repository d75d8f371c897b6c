import { inTransaction, LOCK_NAMESPACE, type PgClient, type PgPool } from '../../db/postgres';
import type { RunRow } from '../run-row';
import { CLAIM_BY_SEQ } from './pg-run-claim';
import { runRowsOf } from './pg-run-row';

/** What limits a fleet claim: the queues' and tags' limits hold for the whole fleet, `slots` for this node. */
export interface FleetClaimLimits {
  /** The queues this node may claim from now (not paused), each with its `max_concurrent`. */
  queues: Readonly<Record<string, number>>;
  /** `concurrency_tags`: each tag's limit across all queues. */
  tags: Readonly<Record<string, number>>;
  /** `global.aging_ms`: a waiting run counts one priority level higher per aging_ms waited (never above 1). */
  agingMs: number;
  /** This node's free slots (its `global.max_total_concurrent` minus what it runs now). */
  slots: number;
}

interface Head {
  seq: number;
  queue: string;
  priority: number;
  tag: string | null;
  enqueued: number;
}

/**
 * The fleet's claim (SPEC section 16), in ONE transaction:
 * 1. the queues in `limits` that hold queued runs (a plain read; a run queued after it is
 *    announced by NOTIFY and claimed by the next pass);
 * 2. a transaction-scoped advisory lock per such queue and per limited tag, taken in one sorted
 *    order (so two nodes never deadlock): while a node holds a queue's lock no other node counts or
 *    claims in that queue, so the count it reads next stays true until it commits. SKIP LOCKED
 *    alone cannot bound a count: two nodes that each see 3 of 4 running would each take one;
 * 3. the running runs per queue and per tag, fleet-wide, read under those locks;
 * 4. per queue and priority level the oldest queued runs that fit, ranked by effective priority
 *    (aging) then wait, within the queue's and the tag's free slots and this node's: the order of
 *    the single-machine dispatcher (core/queue/pick-batch.ts);
 * 5. the chosen runs claimed with FOR UPDATE SKIP LOCKED (a run a cancel holds is passed over).
 * Returns the claimed rows best first; fewer than picked when some were skipped (look again).
 */
export async function claimFleet(pool: PgPool, limits: FleetClaimLimits, owner: string, leaseUntil: number, now: number): Promise<RunRow[]> {
  checkLimits(limits);
  const names = Object.keys(limits.queues);
  if (limits.slots <= 0 || !names.length) return [];
  return inTransaction(pool, async (client) => {
    const waiting = (
      await client.query<{ q: string }>(`select q from unnest($1::text[]) q where exists (select 1 from runs where queue = q and status = 'queued')`, [names])
    ).rows.map((r) => r.q);
    if (!waiting.length) return [];
    const tags = Object.keys(limits.tags);
    await lockInOrder(client, [...waiting.map((q) => [LOCK_NAMESPACE.queue, q] as const), ...tags.map((t) => [LOCK_NAMESPACE.tag, t] as const)]);
    const running = await runningCounts(client, waiting, tags);
    const queueFree = new Map<string, number>();
    for (const q of waiting) {
      const free = Math.min(limits.queues[q]! - (running.queue.get(q) ?? 0), limits.slots);
      if (free > 0) queueFree.set(q, free);
    }
    if (!queueFree.size) return [];
    const blocked = tags.filter((t) => (running.tag.get(t) ?? 0) >= limits.tags[t]!);
    const heads = await readHeads(client, queueFree, blocked);
    const picked = pickHeads(heads, limits, queueFree, running.tag, now);
    if (!picked.length) return [];
    const claimed = runRowsOf(await client.query<unknown[]>({ text: CLAIM_BY_SEQ, values: [owner, leaseUntil, now, picked], rowMode: 'array' }));
    const rank = new Map(picked.map((seq, i) => [seq, i]));
    return claimed.sort((a, b) => rank.get(a.rowid)! - rank.get(b.rowid)!);
  });
}

/** Advisory locks in (namespace, hash) order: every node takes any two of them in the same order. */
async function lockInOrder(client: PgClient, keys: readonly (readonly [number, string])[]): Promise<void> {
  await client.query(
    `select pg_advisory_xact_lock(ns, h) from (
       select distinct ns, hashtext(name) as h from unnest($1::int[], $2::text[]) as k(ns, name) order by ns, h) ordered`,
    [keys.map((k) => k[0]), keys.map((k) => k[1])],
  );
}

async function runningCounts(client: PgClient, queues: string[], tags: string[]): Promise<{ queue: Map<string, number>; tag: Map<string, number> }> {
  const r = await client.query<{ queue: string; tag: string | null; n: number }>(
    `select queue, concurrency_tag as tag, count(*)::int as n from runs
      where status = 'running' and (queue = any($1::text[]) or concurrency_tag = any($2::text[])) group by queue, concurrency_tag`,
    [queues, tags],
  );
  const queue = new Map<string, number>();
  const tag = new Map<string, number>();
  for (const row of r.rows) {
    queue.set(row.queue, (queue.get(row.queue) ?? 0) + row.n);
    if (row.tag !== null) tag.set(row.tag, (tag.get(row.tag) ?? 0) + row.n);
  }
  return { queue, tag };
}

/**
 * Per queue and priority level, as many of the oldest queued runs as the queue has free slots, in
 * the order pick-batch.ts gathers them (queues as configured, levels ascending, oldest first).
 */
async function readHeads(client: PgClient, queueFree: Map<string, number>, blocked: string[]): Promise<Head[]> {
  const r = await client.query<Head>(
    `select h.seq, q.name as queue, p.level as priority, h.concurrency_tag as tag, h.enqueued_at as enqueued
       from unnest($1::text[], $2::int[]) with ordinality as q(name, free, ord)
       cross join generate_series(1, 9) as p(level)
       cross join lateral (
         select seq, concurrency_tag, enqueued_at from runs
          where queue = q.name and status = 'queued' and priority = p.level
            and (concurrency_tag is null or not (concurrency_tag = any($3::text[])))
          order by enqueued_at, seq limit q.free) h
      order by q.ord, p.level, h.enqueued_at, h.seq`,
    [[...queueFree.keys()], [...queueFree.values()], blocked],
  );
  return r.rows;
}

/**
 * The single-machine dispatcher's choice (pick-batch.ts) over fleet-wide counts: heads ranked by
 * effective priority then wait (a stable sort, so insertion order breaks ties), taken while the
 * node, the queue and the tag have a free slot. A run whose tag is full is passed over without
 * blocking the runs behind it.
 */
export function pickHeads(heads: readonly Head[], limits: FleetClaimLimits, queueFree: Map<string, number>, tagRunning: Map<string, number>, now: number): number[] {
  const free = new Map(queueFree);
  const tagCount = new Map(tagRunning);
  const ranked = heads
    .map((h) => ({ ...h, effective: Math.max(1, h.priority - Math.floor((now - h.enqueued) / limits.agingMs)) }))
    .sort((x, y) => x.effective - y.effective || x.enqueued - y.enqueued);
  const picked: number[] = [];
  let slots = limits.slots;
  for (const h of ranked) {
    if (slots <= 0) break;
    const queueSlots = free.get(h.queue) ?? 0;
    if (queueSlots <= 0) continue;
    const tagLimit = h.tag === null ? undefined : limits.tags[h.tag];
    if (h.tag !== null && tagLimit !== undefined && (tagCount.get(h.tag) ?? 0) >= tagLimit) continue;
    picked.push(h.seq);
    slots--;
    free.set(h.queue, queueSlots - 1);
    if (h.tag !== null) tagCount.set(h.tag, (tagCount.get(h.tag) ?? 0) + 1);
  }
  return picked;
}

function checkLimits(l: FleetClaimLimits): void {
  const bad = (what: string, v: number) => {
    throw new Error(`Fleet claim: ${what} must be a whole number of at least 1 (got ${v})`);
  };
  for (const [q, n] of Object.entries(l.queues)) if (!Number.isInteger(n) || n < 1) bad(`max_concurrent of queue '${q}'`, n);
  for (const [t, n] of Object.entries(l.tags)) if (!Number.isInteger(n) || n < 1) bad(`the limit of tag '${t}'`, n);
  if (!Number.isInteger(l.agingMs) || l.agingMs < 1) bad('aging_ms', l.agingMs);
  if (!Number.isInteger(l.slots)) throw new Error(`Fleet claim: slots must be a whole number (got ${l.slots})`);
}
