/**
 * Failure clusters as a service: classifies each failure as it is recorded (called by the runs
 * module inside its transaction), keeps the clusters in SQLite, and answers the views and the
 * metrics. The miner is restored from the stored templates at creation, so AUTO_ ids survive
 * restarts.
 */
import type { ClusterDetail, ClusterView } from '@shared/contract/clusters';
import type { MetricsSnapshot } from '@shared/contract/metrics';
import type { FailureRuleConfig } from '@shared/config/failure-rules';
import { GENERIC_ACTIONS } from '@shared/domain/builtin-failure-rules';
import { AppError } from '../kernel/errors';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger } from '../kernel/ports';
import type { Database } from '../db/database';
import { FailureClassifier } from './classifier';
import { ClusterStore, type ClusterRow, type WindowFigures } from './cluster-store';
import { localDayStarts } from './local-days';
import { RuleSet } from './rule-set';
import { TemplateMiner, templateText } from './template-miner';
import type { FailureSink } from '../runs';
import { DAY_MS } from '../kernel/clock';

const MAX_MESSAGE = 2000;

export interface ClustersOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  /** failure_rules.yaml's rules as now in force (read on each change of identity). */
  rules: () => Record<string, FailureRuleConfig>;
  /** Step failures may wait in the group commit: reads flush it first (read-your-writes). */
  writes?: { flush(): void };
}

export type Clusters = ReturnType<typeof createClusters>;

export function createClusters(o: ClustersOptions) {
  const store = new ClusterStore(o.db);
  const miner = new TemplateMiner();
  miner.restore(store.minedTemplates().map((c) => ({ id: c.id, template: c.template, size: c.total_count })));
  let rulesSource: Record<string, FailureRuleConfig> | undefined;
  let classifier: FailureClassifier | undefined;
  const current = () => {
    const rules = o.rules();
    if (rules !== rulesSource || !classifier) {
      rulesSource = rules;
      classifier = new FailureClassifier(new RuleSet(rules), miner);
    }
    return classifier;
  };

  const view = (row: ClusterRow, w: WindowFigures | undefined): ClusterView => ({
    id: row.id,
    display_name: row.display_name,
    source: row.source,
    severity: row.severity,
    recommended_actions: JSON.parse(row.recommended_actions_json) as string[],
    count: w?.count ?? 0,
    total_count: row.total_count,
    runs: w?.runs ?? 0,
    templates: w?.templates ?? 0,
    message_templates: w?.message_templates ?? 0,
    steps: w?.steps ?? 0,
    first_seen: new Date(row.first_seen).toISOString(),
    last_seen: new Date(row.last_seen).toISOString(),
    trend_3d: w ? [w.d0, w.d1, w.d2] : [0, 0, 0],
    samples: store.samples(row.id),
    resolved: row.resolved_at != null,
    resolved_at: row.resolved_at == null ? null : new Date(row.resolved_at).toISOString(),
    resolved_by: row.resolved_by,
  });

  const figures = (days: number, runId?: string, now = o.clock.now()) => store.windowFigures({ since: now - days * DAY_MS, dayStarts: localDayStarts(now), now, runId });

  const mustGet = (id: string) => {
    const row = store.get(id);
    if (!row) throw new AppError('NOT_FOUND', `No failure cluster '${id}'`);
    return row;
  };

  const log = o.logger.child('Clusters');
  /** Inside the caller's transaction, as a savepoint: a classification error rolls back only itself. */
  const recordOne = o.db.transaction((f: Parameters<FailureSink['record']>[0]) => {
      const message = f.message.length > MAX_MESSAGE ? f.message.slice(0, MAX_MESSAGE) : f.message;
      const c = current().classify(message, f.code);
      const rule = c.rule;
      const minedTemplate = c.mined ? templateText(c.mined.cluster.tokens) : undefined;
      const reopened = store.record(
        {
          id: c.cluster,
          source: rule ? (rule.builtin && !(rule.id in (rulesSource ?? {})) ? 'builtin' : 'custom') : 'mined',
          template: minedTemplate ?? c.template,
          display_name: rule ? rule.displayName : minedTemplate!,
          severity: rule ? rule.severity : 'medium',
          recommended_actions_json: JSON.stringify(rule ? rule.recommendedActions : GENERIC_ACTIONS.en),
        },
        { cluster_id: c.cluster, run_id: f.runId, template: f.template, step_index: f.stepIndex, action: f.action, message, message_template: c.template, error_code: f.code, at: f.at },
      );
      return { clusterId: c.cluster, runId: f.runId, ...(reopened ? { reopened: true } : {}) };
  });
  const sink: FailureSink = {
    record(f) {
      try {
        const event = recordOne(f);
        // After the caller's transaction commits (they are synchronous): an event never runs ahead of the disk.
        setImmediate(() => o.bus.publish('cluster.updated', event));
      } catch (e) {
        log.error('Could not classify a failure; the failure itself is recorded', { runId: f.runId, error: e as Error });
      }
    },
  };

  return {
    sink,
    list(days: number, runId?: string, includeResolved = true): ClusterView[] {
      o.writes?.flush();
      const items: ClusterView[] = [];
      for (const w of figures(days, runId)) {
        const row = store.get(w.cluster_id);
        if (row && (includeResolved || row.resolved_at == null)) items.push(view(row, w));
      }
      return items;
    },
    get(id: string, days: number): ClusterDetail {
      o.writes?.flush();
      const row = mustGet(id);
      const since = o.clock.now() - days * DAY_MS;
      const w = figures(days).find((x) => x.cluster_id === id);
      return {
        ...view(row, w),
        occurrences: store.occurrences(id, since).map((x) => ({
          run_id: x.run_id,
          template: x.template,
          step: x.step_index,
          action: x.action,
          message: x.message,
          message_template: x.message_template,
          error_code: x.error_code,
          at: new Date(x.at).toISOString(),
        })),
        message_template_counts: store.counts(id, since, 'message_template'),
        template_counts: store.counts(id, since, 'template'),
      };
    },
    resolve(id: string, by: string | null): ClusterView {
      mustGet(id);
      store.resolve(id, o.clock.now(), by);
      o.bus.publish('cluster.updated', { clusterId: id, resolved: true });
      return view(mustGet(id), figures(7).find((x) => x.cluster_id === id));
    },
    /** The two figures of SPEC section 11, over the last 24 h. */
    metrics(now: number): Pick<MetricsSnapshot, 'top_failure_clusters_24h' | 'failure_cluster_diversity'> {
      const seen = figures(1, undefined, now)
        .filter((w) => w.count_24h > 0)
        .sort((a, b) => b.count_24h - a.count_24h);
      return {
        top_failure_clusters_24h: seen.slice(0, 10).map((w) => {
          const row = store.get(w.cluster_id)!;
          return { cluster: row.id, display_name: row.display_name, count: w.count_24h, severity: row.severity, trend_3d: [w.d0, w.d1, w.d2] };
        }),
        failure_cluster_diversity: seen.length,
      };
    },
  };
}
