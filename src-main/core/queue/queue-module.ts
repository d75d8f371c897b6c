import { existsSync, rmSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { AppError } from '../kernel/errors';
import type { Database } from 'better-sqlite3';
import type { ConfigStore } from '../config/config-store';
import type { WriteBatcher } from '../db/write-batcher';
import type { EventBus } from '../kernel/event-bus';
import type { CoreModule, Handler, HandlerMap } from '../kernel/module';
import type { Clock, Logger, Paths } from '../kernel/ports';
import type { Redactor } from '../security/redaction';
import type { runsContract } from '@shared/contract/runs';
import { contentTypeOf } from '../api/static-files';
import { principalName, type CallContext } from '../kernel/principal';
import { isFinal } from '@shared/domain/runs';
import type { RunExecutor, TemplateCatalog } from './ports';
import { logQueueEvents } from './queue-log';
import { pruneOnce } from './retention';
import { getRun, listRuns } from './run-read';
import { RunQueue } from './run-queue';

type RunsHandlers = { [N in keyof typeof runsContract]: Handler<(typeof runsContract)[N]> };

export interface QueueModule extends CoreModule {
  queue: RunQueue;
}

/** How a procedure call names its trigger: the desktop app is `manual`, scripts on the API are `api`. */
function triggerOf(ctx: CallContext): string {
  return ctx.source === 'ipc' ? 'manual' : 'api';
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
export function createQueueModule(
  services: QueueModulePorts,
  deps: { executor: RunExecutor; templates: TemplateCatalog; onRunFailed?: (runId: string, error: string | null, errorCode: string | null, at: number) => void },
): QueueModule {
  const { db, clock, paths } = services;
  const queue = new RunQueue({
    db,
    clock,
    logger: services.logger.child('Queue'),
    bus: services.bus,
    redactor: services.redactor,
    config: () => services.config.orchestrator,
    executor: deps.executor,
    writes: services.writes,
    templates: deps.templates,
    onRunFailed: deps.onRunFailed,
  });
  let retentionTimer: { cancel(): void } | undefined;
  let unlog: (() => void) | undefined;
  const retention = () => {
    const r = services.config.orchestrator.retention;
    try {
      const report = pruneOnce({ db, dbFile: paths.dbFile, artifactsDir: paths.artifactsDir, logger: services.logger.child('Queue'), now: () => clock.now(), runsDays: r.runs_days, maxDbMb: r.max_db_mb, auditDays: r.audit_days });
      if (report.runsDeleted) queue.templateContentsPruned();
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
  const artifactPath = (run: ReturnType<typeof getRun>, name: string): string => {
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
        services.writes.flush();
        return listRuns(db, input);
      },
      'runs.get': ({ id }) => {
        services.writes.flush();
        return getRun(db, id);
      },
      'runs.artifact': ({ id, name }) => {
        services.writes.flush();
        const file = artifactPath(getRun(db, id), name);
        return { contentType: contentTypeOf(file), filePath: file, fileName: name };
      },
      'runs.pause': ({ id }) => ({ id, status: queue.pause(id) }),
      'runs.resume': ({ id }) => ({ id, status: queue.resume(id) }),
      'runs.cancel': ({ id }) => ({ id, status: queue.cancel(id) }),
      'runs.retry': ({ id }, ctx) => {
        const run = db.prepare('select r.template, c.yaml as template_yaml, r.variables_json, r.queue, r.priority, r.dry_run, r.status from runs r join template_contents c on c.hash = r.template_hash where r.id = ?').get(id) as
          | { template: string; template_yaml: string; variables_json: string; queue: string; priority: number; dry_run: number; status: string }
          | undefined;
        if (!run) throw new AppError('NOT_FOUND', `Run ${id} not found`);
        if (!isFinal(run.status)) throw new AppError('CONFLICT', `Run ${id} is ${run.status}; only a finished run can be run again`);
        return queue.enqueue(
          { template_yaml: run.template_yaml, variables: JSON.parse(run.variables_json) as Record<string, unknown>, queue: run.queue, priority: run.priority, dry_run: run.dry_run === 1 },
          { trigger: triggerOf(ctx), requestedBy: principalName(ctx.principal), retryOf: id, templateName: run.template },
        );
      },
      'runs.delete': ({ id }) => {
        const run = db.prepare('select status from runs where id = ?').pluck().get(id) as string | undefined;
        if (!run) throw new AppError('NOT_FOUND', `Run ${id} not found`);
        if (!isFinal(run)) throw new AppError('CONFLICT', `Run ${id} is ${run}; cancel it before deleting it`);
        db.prepare('delete from runs where id = ?').run(id);
        rmSync(join(paths.artifactsDir, id), { recursive: true, force: true });
        return { deleted: true };
      },
      'queues.list': () => ({ items: queue.queues() }),
      'queues.pause': ({ name }, ctx) => queue.pauseQueue(name, principalName(ctx.principal)),
      'queues.resume': ({ name }, ctx) => queue.resumeQueue(name, principalName(ctx.principal)),
    } satisfies RunsHandlers as HandlerMap,
  };
}
