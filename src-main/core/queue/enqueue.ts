import type { OrchestratorConfig, RetryPolicy } from '@shared/config';
import { newId } from '@shared/domain/ids';
import type { RunStatus } from '@shared/domain/runs';
import { AppError } from '../kernel/errors';
import type { NewRun, RunsStorage } from '../runs';
import type { Redactor } from '../security';
import type { TemplateCatalog } from './ports';

export interface EnqueueRequest {
  template?: string;
  template_yaml?: string;
  variables?: Record<string, unknown>;
  queue?: string;
  priority?: number;
  dry_run?: boolean;
  idempotency_key?: string;
}

export interface EnqueueOrigin {
  /** `manual | api | schedule:<id> | watcher:<id> | webhook:<id>` */
  trigger: string;
  /** `trigger.*` in templates (file path of a watcher, webhook payload fields, …). */
  triggerData?: Record<string, unknown>;
  requestedBy: string | null;
  retryOf?: string;
  /** The name to record when the request carries template_yaml (a re-run keeps the original name). */
  templateName?: string;
}

export interface Enqueued {
  run_id: string;
  status: RunStatus;
  queue: string;
  priority: number;
  duplicate: boolean;
}

/**
 * An enqueue in halves (`RunQueue.stage`), for a caller that commits the run in its own transaction
 * with its own rows (a webhook delivery and its record, many deliveries per commit): checked, built
 * and counted in its queue's depth when staged; `write` inserts it in the caller's open transaction
 * (SQL only: a group that failed may run it again); `announce` once that transaction committed;
 * `release` when it was not written after all.
 */
export interface StagedRun {
  run_id: string;
  write(): void;
  announce(): void;
  release(): void;
}

/**
 * The template name a run records: one identity per template, so the Runs list's Template filter
 * groups every run of it: its storage name. A stored template's name as given, without `.yaml`
 * (`weekly_report`); for YAML text, the original run's name on a re-run, else the storage name
 * the catalog derives from its `name:` ("Weekly report" → `weekly_report`).
 */
export function templateIdentity(requested: string | undefined, origin: EnqueueOrigin, catalogName: string): string {
  if (requested) return requested.trim().replace(/\.ya?ml$/i, '');
  return origin.templateName ?? catalogName;
}

/**
 * Checks a batch of enqueue requests and builds their rows (nothing is written here): template
 * found and valid, queue known, priority in range, room in the queue; a known idempotency key
 * answers with the existing run.
 */
export function prepareEnqueue(
  requests: readonly EnqueueRequest[],
  origin: EnqueueOrigin,
  deps: { config: OrchestratorConfig; now: number; depth: (queue: string) => number; runs: RunsStorage; templates: TemplateCatalog; redactor: Redactor },
): { rows: NewRun[]; results: Enqueued[] } {
  const { config: cfg, now } = deps;
  const rows: NewRun[] = [];
  const results: Enqueued[] = [];
  const added = new Map<string, number>();
  for (const [i, req] of requests.entries()) {
    const prefix = requests.length > 1 ? `runs[${i}].` : '';
    if (req.idempotency_key) {
      const stored = deps.runs.read.byIdempotencyKey(req.idempotency_key);
      const existing = stored ? { id: stored.id, status: stored.status, queue: stored.queue, priority: stored.priority } : rows.find((r) => r.idempotencyKey === req.idempotency_key);
      if (existing) {
        results.push({ run_id: existing.id, status: 'status' in existing ? existing.status : 'queued', queue: existing.queue, priority: existing.priority, duplicate: true });
        continue;
      }
    }
    const yaml = req.template_yaml ?? deps.templates.load(req.template!);
    if (yaml === undefined) throw new AppError('NOT_FOUND', `Template '${req.template}' not found`, { field: `${prefix}template` });
    const inspected = deps.templates.inspect(yaml);
    if (!inspected.ok) {
      throw new AppError('VALIDATION_ERROR', `Template ${req.template ? `'${req.template}' ` : ''}is invalid: ${inspected.issues.map((x) => `${x.path}: ${x.message}`).join('; ')}`, {
        issues: inspected.issues.map((x) => ({ ...x, path: `${prefix}template.${x.path}` })),
      });
    }
    const facts = inspected.facts;
    const queueName = req.queue ?? facts.execution.queue ?? 'default';
    const queue = cfg.queues[queueName];
    if (!queue) {
      throw new AppError('VALIDATION_ERROR', `Unknown queue '${queueName}' (queues: ${Object.keys(cfg.queues).join(', ')})`, { issues: [{ path: `${prefix}queue`, message: 'unknown queue' }] });
    }
    const priority = req.priority ?? facts.execution.priority ?? 5;
    if (priority > queue.priority_levels) {
      throw new AppError('VALIDATION_ERROR', `Queue '${queueName}' has ${queue.priority_levels} priority levels; priority ${priority} is out of range`, {
        issues: [{ path: `${prefix}priority`, message: `1 to ${queue.priority_levels}` }],
      });
    }
    const depth = deps.depth(queueName) + (added.get(queueName) ?? 0);
    if (depth >= queue.max_queued) {
      throw new AppError('QUEUE_FULL', `Queue '${queueName}' is full: ${depth} runs waiting (max_queued ${queue.max_queued}). Try again later or raise max_queued in orchestrator.yaml.`, {
        queue: queueName,
        depth,
        max_queued: queue.max_queued,
        retry_after_s: 5,
      });
    }
    const policy: RetryPolicy = { ...queue.retry_policy, ...facts.execution.retry };
    const id = newId('run', now);
    rows.push({
      id,
      template: templateIdentity(req.template, origin, facts.name),
      templateHash: facts.hash,
      templateYaml: yaml,
      variables: deps.redactor.maskDeep(req.variables ?? {}),
      trigger: origin.trigger,
      triggerData: deps.redactor.maskDeep(origin.triggerData ?? {}),
      requestedBy: origin.requestedBy,
      queue: queueName,
      priority,
      concurrencyTag: facts.execution.concurrency_tag ?? null,
      dryRun: Boolean(req.dry_run),
      idempotencyKey: req.idempotency_key ?? null,
      status: 'queued',
      now,
      retryJson: JSON.stringify(policy),
      timeoutMs: facts.execution.timeout_ms ?? null,
      retryOf: origin.retryOf ?? null,
    });
    added.set(queueName, (added.get(queueName) ?? 0) + 1);
    results.push({ run_id: id, status: 'queued', queue: queueName, priority, duplicate: false });
  }
  return { rows, results };
}
