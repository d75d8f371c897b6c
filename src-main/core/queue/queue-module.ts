import { existsSync, rmSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { AppError } from '../kernel/errors';
import type { Database } from 'better-sqlite3';
import type { ConfigStore } from '../config';
import type { WriteBatcher } from '../db/write-batcher';
import type { EventBus } from '../kernel/event-bus';
import type { CoreModule, Handler, HandlerMap } from '../kernel/module';
import type { Clock, Logger, Paths } from '../kernel/ports';
import type { Redactor } from '../security';
import type { RunView, runsContract } from '@shared/contract/runs';
import { contentTypeOf } from '../api';
import { principalName, type CallContext } from '../kernel/principal';
import { isFinal } from '@shared/domain/runs';
import type { RunExecutor, TemplateCatalog } from './ports';
import type { RunRepository } from '../runs';
import { DepthSampler } from './depth-sampler';
import { logQueueEvents } from './queue-log';
import { SqliteQueueState } from './queue-state-store';
import { pruneOnce } from './retention';
import { RunQueue } from './run-queue';

type RunsHandlers = { [N in keyof typeof runsContract]: Handler<(typeof runsContract)[N]> };

export interface QueueModule extends CoreModule {
  queue: RunQueue;
}

/**
 * How a procedure call names its trigger (SPEC section 4): a person in the desktop app or the
 * served UI is `manual` (like `desktop-agent run`); a script on the API (Basic, a Bearer session
 * or API token) is `api`.
 */
export function triggerOf(ctx: CallContext): string {
  return ctx.source === 'ipc' || (ctx.principal.kind === 'user' && ctx.principal.ui) ? 'manual' : 'api';
}

/** What the queue module is built from. */
export interface QueueModulePorts {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  redactor: Redactor;
  config: Pick<ConfigStore, 'orchestrator'>;
  writes: WriteBatcher;
  paths: Pick<Paths, 'dbFile' | 'artifactsDir'>;
}

/** The run queue as a core module: runs.* and queues.* procedures, retention, graceful stop. */
export function createQueueModule(services: QueueModulePorts, deps: { runs: RunRepository; executor: RunExecutor; templates: TemplateCatalog }): QueueModule {
  const { db, clock, paths } = services;
  const { runs } = deps;
  const queue = new RunQueue({
    runs,
    queueState: new SqliteQueueState(db),
    sampler: new DepthSampler(db, () => clock.now()),
    clock,
    logger: services.logger.child('Queue'),
    bus: services.bus,
    redactor: services.redactor,
    config: () => services.config.orchestrator,
    executor: deps.executor,
    templates: deps.templates,
  });
  let retentionTimer: { cancel(): void } | undefined;
  let unlog: (() => void) | undefined;
  const retention = () => {
    const r = services.config.orchestrator.retention;
    try {
      pruneOnce({ db, runs, dbFile: paths.dbFile, artifactsDir: paths.artifactsDir, logger: services.logger.child('Queue'), now: () => clock.now(), runsDays: r.runs_days, maxDbMb: r.max_db_mb, auditDays: r.audit_days });
    } catch (e) {
      services.logger.child('Queue').error('Retention failed; will try again', { error: e as Error });
    }
    retentionTimer = clock.setTimer(10 * 60_000, retention);
  };

  /**
   * The file of an artifact the run's steps recorded. Any other name is the same 404, whose message
   * does not repeat the name: an answer that differed for a name holding a secret (masked in the
   * message, or a file that exists under a masked name) would confirm a guess.
   */
  const artifactPath = (run: RunView, name: string): string => {
    const missing = new AppError('NOT_FOUND', `Run ${run.id} has no artifact of that name`);
    if (!run.steps.some((s) => s.artifacts.some((a) => a.name === name))) throw missing;
    const dir = resolve(paths.artifactsDir, run.id);
    const file = resolve(dir, name);
    if (!file.startsWith(dir + sep) || basename(file) !== name || !existsSync(file)) throw missing;
    return file;
  };

  return {
    name: 'queue',
    queue,
    start: () => {
      unlog = logQueueEvents(services.bus, services.logger.child('Queue'));
      queue.start();
      retentionTimer = clock.setTimer(30_000, retention);
    },
    stop: async () => {
      retentionTimer?.cancel();
      await queue.stop();
      unlog?.();
    },
    handlers: {
      'runs.enqueue': (input, ctx) => queue.enqueue(input, { trigger: triggerOf(ctx), requestedBy: principalName(ctx.principal) }),
      'runs.enqueueBatch': ({ runs }, ctx) => ({ items: queue.enqueueMany(runs, { trigger: triggerOf(ctx), requestedBy: principalName(ctx.principal) }) }),
      'runs.list': (input) => {
        runs.flush();
        return runs.read.list(input);
      },
      'runs.get': ({ id }) => {
        runs.flush();
        return runs.read.view(id);
      },
      'runs.artifact': ({ id, name }) => {
        runs.flush();
        const file = artifactPath(runs.read.view(id), name);
        return { contentType: contentTypeOf(file), filePath: file, fileName: name };
      },
      'runs.pause': ({ id }) => ({ id, status: queue.pause(id) }),
      'runs.resume': ({ id }) => ({ id, status: queue.resume(id) }),
      'runs.cancel': ({ id }) => ({ id, status: queue.cancel(id) }),
      'runs.retry': ({ id }, ctx) => {
        runs.flush();
        const run = runs.read.mustRow(id);
        if (!isFinal(run.status)) throw new AppError('CONFLICT', `Run ${id} is ${run.status}; only a finished run can be run again`);
        const yaml = runs.read.templateYaml(run.template_hash);
        if (yaml === undefined) throw new AppError('NOT_FOUND', `The template text of run ${id} is no longer stored`);
        return queue.enqueue(
          { template_yaml: yaml, variables: JSON.parse(run.variables_json) as Record<string, unknown>, queue: run.queue, priority: run.priority, dry_run: run.dry_run === 1 },
          { trigger: triggerOf(ctx), requestedBy: principalName(ctx.principal), retryOf: id, templateName: run.template },
        );
      },
      'runs.delete': ({ id }) => {
        runs.flush();
        const run = runs.read.mustRow(id);
        if (!isFinal(run.status) || !runs.retention.deleteFinished(id)) throw new AppError('CONFLICT', `Run ${id} is ${run.status}; cancel it before deleting it`);
        rmSync(join(paths.artifactsDir, id), { recursive: true, force: true });
        return { deleted: true };
      },
      'queues.list': () => ({ items: queue.queues() }),
      'queues.pause': ({ name }, ctx) => queue.pauseQueue(name, principalName(ctx.principal)),
      'queues.resume': ({ name }, ctx) => queue.resumeQueue(name, principalName(ctx.principal)),
    } satisfies RunsHandlers as HandlerMap,
  };
}
