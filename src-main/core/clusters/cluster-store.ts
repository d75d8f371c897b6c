/**
 * The SQL of failure clusters (migration 0010): the only code that touches failure_clusters and
 * failure_occurrences. Each method is one statement or one unit of work.
 */
import type { Statement } from 'better-sqlite3';
import type { Database } from '../db/database';
import { DAY_MS } from '../kernel/clock';

export interface ClusterRow {
  id: string;
  source: 'builtin' | 'custom' | 'mined';
  template: string;
  display_name: string;
  severity: string;
  recommended_actions_json: string;
  total_count: number;
  first_seen: number;
  last_seen: number;
  resolved_at: number | null;
  resolved_by: string | null;
}

export interface OccurrenceRow {
  cluster_id: string;
  run_id: string;
  template: string | null;
  step_index: number | null;
  action: string | null;
  message: string;
  message_template: string;
  error_code: string | null;
  at: number;
}

export interface WindowFigures {
  cluster_id: string;
  count: number;
  runs: number;
  templates: number;
  message_templates: number;
  steps: number;
  count_24h: number;
  d0: number;
  d1: number;
  d2: number;
}

export class ClusterStore {
  private readonly upsert: Statement;
  private readonly insertOccurrence: Statement;
  private readonly setTemplate: Statement;
  private readonly resolveStmt: Statement;
  private readonly byId: Statement<[string]>;

  constructor(readonly db: Database) {
    // A new occurrence counts, moves last_seen and reopens a resolved cluster; texts follow the rules in force.
    this.upsert = db.prepare(`insert into failure_clusters (id, source, template, display_name, severity, recommended_actions_json, total_count, first_seen, last_seen)
        values (@id, @source, @template, @display_name, @severity, @actions, 1, @at, @at)
      on conflict(id) do update set total_count = total_count + 1, last_seen = max(last_seen, excluded.last_seen),
        source = excluded.source, template = excluded.template, display_name = excluded.display_name, severity = excluded.severity,
        recommended_actions_json = excluded.recommended_actions_json, resolved_at = null, resolved_by = null`);
    this.insertOccurrence = db.prepare(`insert into failure_occurrences (cluster_id, run_id, template, step_index, action, message, message_template, error_code, at)
      values (@cluster_id, @run_id, @template, @step_index, @action, @message, @message_template, @error_code, @at)`);
    this.setTemplate = db.prepare('update failure_clusters set template = ?, display_name = ? where id = ?');
    this.resolveStmt = db.prepare('update failure_clusters set resolved_at = ?, resolved_by = ? where id = ?');
    this.byId = db.prepare('select * from failure_clusters where id = ?');
  }

  /** Records one occurrence; true when it reopened a resolved cluster. Runs in the caller's transaction. */
  record(cluster: Omit<ClusterRow, 'total_count' | 'first_seen' | 'last_seen' | 'resolved_at' | 'resolved_by'>, o: OccurrenceRow): boolean {
    const wasResolved = this.get(cluster.id)?.resolved_at != null;
    this.upsert.run({ id: cluster.id, source: cluster.source, template: cluster.template, display_name: cluster.display_name, severity: cluster.severity, actions: cluster.recommended_actions_json, at: o.at });
    this.insertOccurrence.run(o);
    return wasResolved;
  }

  /** A mined template generalised: persist it (its display name is the template). */
  updateTemplate(id: string, template: string): void {
    this.setTemplate.run(template, template, id);
  }

  resolve(id: string, at: number, by: string | null): boolean {
    return this.resolveStmt.run(at, by, id).changes > 0;
  }

  get(id: string): ClusterRow | undefined {
    return this.byId.get(id) as ClusterRow | undefined;
  }

  minedTemplates(): { id: string; template: string; total_count: number }[] {
    return this.db.prepare("select id, template, total_count from failure_clusters where source = 'mined' order by last_seen desc limit 50000").all() as {
      id: string;
      template: string;
      total_count: number;
    }[];
  }

  /**
   * Per cluster: counts over the window [since, now] (or of one run's clusters, all time), the
   * occurrences of the last 24 h, and the three local-day buckets (read whatever the window).
   */
  windowFigures(q: { since: number; dayStarts: readonly number[]; now: number; runId?: string }): WindowFigures[] {
    const [s0, s1, s2] = q.dayStarts;
    const inWindow = q.runId ? 'at <= @now' : 'at >= @since and at <= @now';
    return this.db
      .prepare(
        `select cluster_id, coalesce(sum(${inWindow}), 0) as count,
          count(distinct case when ${inWindow} then run_id end) as runs,
          count(distinct case when ${inWindow} then template end) as templates,
          count(distinct case when ${inWindow} then message_template end) as message_templates,
          count(distinct case when ${inWindow} then coalesce(template, '') || '#' || coalesce(step_index, -1) end) as steps,
          coalesce(sum(at > @day_ago and at <= @now), 0) as count_24h,
          coalesce(sum(at >= @s0 and at < @s1), 0) as d0, coalesce(sum(at >= @s1 and at < @s2), 0) as d1, coalesce(sum(at >= @s2 and at <= @now), 0) as d2
        from failure_occurrences
        where ${q.runId ? 'cluster_id in (select cluster_id from failure_occurrences where run_id = @run)' : 'at >= min(@since, @s0, @day_ago)'} and at <= @now
        group by cluster_id order by count desc, max(at) desc`,
      )
      .all({ since: q.since, s0, s1, s2, now: q.now, day_ago: q.now - DAY_MS, run: q.runId ?? null }) as WindowFigures[];
  }

  /** Up to `limit` recent distinct messages of a cluster. */
  samples(clusterId: string, limit = 3): string[] {
    return this.db
      .prepare('select message from failure_occurrences where cluster_id = ? group by message order by max(at) desc limit ?')
      .pluck()
      .all(clusterId, limit) as string[];
  }

  occurrences(clusterId: string, since: number, limit = 200): OccurrenceRow[] {
    return this.db.prepare('select * from failure_occurrences where cluster_id = ? and at >= ? order by at desc, id desc limit ?').all(clusterId, since, limit) as OccurrenceRow[];
  }

  counts(clusterId: string, since: number, column: 'message_template' | 'template'): { template: string; count: number }[] {
    return this.db
      .prepare(`select ${column} as template, count(*) as count from failure_occurrences where cluster_id = ? and at >= ? and ${column} is not null group by ${column} order by count desc limit 50`)
      .all(clusterId, since) as { template: string; count: number }[];
  }
}
