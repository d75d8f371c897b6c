import { mkdirSync } from 'node:fs';
import { PROCEDURES, type CONTRACT } from '@shared/contract';
import type { Authenticator } from '../kernel/authenticator';
import { createDispatcher, type Dispatcher, type WebhookReceiver } from '../api';
import { EventStreams } from '../api';
import type { CallContext } from '../kernel/principal';
import { ConfigInvalidError, ConfigStore } from '../config';
import { checkpoint, openDatabase, type Database } from '../db/database';
import { WriteBatcher } from '../db/write-batcher';
import { startCheckpointer, type Checkpointer } from '../db/checkpointer';
import { createEngine } from '../engine';
import { createApprovalsModule } from '../hitl';
import type { Approvals } from '../hitl';
import type { Engine } from '../engine';
import { createQueueModule } from '../queue';
import { RunRepository } from '../runs';
import { AuditLog } from '../security';
import { createUsersModule, type UsersModule, type UsersModuleOptions } from '../security';
import { Redactor } from '../security';
import { createSecrets } from '../security';
import type { KeychainPort } from '../security';
import { createSecretsModule } from '../security';
import { createTemplatesModule } from '../templates';
import { createMetricsModule } from '../metrics';
import { createClusters } from '../clusters';
import { createClustersModule } from '../clusters';
import { scheduleFigures, triggerFigures } from '../metrics';
import { createDepthFigures } from '../queue';
import { createRunFigures } from '../runs';
import { rbacMetrics } from '../security';
import { secretsLookups24h } from '../security';
import { createSchedulerModule, type SchedulerModule } from '../triggers';
import { createWebhookModule } from '../triggers';
import { createWatcherModule, type WatcherModule } from '../triggers';
import { isFinal } from '@shared/domain/runs';
import { systemClock } from '../kernel/clock';
import type { CoreServices } from './core-services';
import type { CoreModule, HandlerMap } from '../kernel/module';
import { EventBus } from '../kernel/event-bus';
import { RotatingFileSink, createLogger, type LogSink } from '../kernel/logger';
import { createHeadlessNotifier } from '../kernel/notifier';
import type { Clock, LogLevel, Notifier, Paths, SecretStore } from '../kernel/ports';
import { createSystemModule } from '../system';

export interface CoreOptions {
  paths: Paths;
  version: string;
  clock?: Clock;
  secretStore?: SecretStore;
  /** The OS keychain for the default secret store (keytar when omitted); tests inject one to run without D-Bus. */
  keychain?: KeychainPort;
  /** Where DESKTOP_AGENT_SECRET_* and DESKTOP_AGENT_SECRETS_PASSPHRASE are read (process.env when omitted). */
  env?: NodeJS.ProcessEnv;
  notifier?: Notifier;
  /** A side-by-side better-sqlite3 build for this runtime (see db/native-binding.ts). */
  nativeBinding?: string;
  /** Stop the start when a config file is invalid (serve, CLI); the desktop app starts with defaults and shows the problem. */
  strictConfig?: boolean;
  /** Hot-reload config files on change. */
  watchConfig?: boolean;
  /** Extra log sinks (stderr for serve, memory in tests). */
  extraLogSinks?: LogSink[];
  logLevel?: LogLevel;
  /** Check every procedure's output against the contract (tests). */
  validateOutputs?: boolean;
  /** The first Admin from the environment, password hashing cost, session lifetime, back-off. */
  users?: UsersModuleOptions;
  /** Whether the screen is locked, as the host knows it (Electron's powerMonitor); desktop steps defer the run while it is. */
  screenLocked?: () => boolean | undefined;
  /** The browser for web actions (--browser / DESKTOP_AGENT_BROWSER_PATH); orchestrator.yaml web.browser_path comes next. */
  browserPath?: string;
}

export interface Core extends CoreServices {
  dispatcher: Dispatcher;
  /** Executes runs (the queue's executor; the CLI runs local runs with it directly). */
  engine: Engine;
  /** The runs repository (core/runs): every read and write of runs and their steps. */
  runs: RunRepository;
  approvals: Approvals;
  /** HTTP credentials → principal (the users module's). */
  authenticator: Authenticator;
  /** Users, sessions and tokens; `users.app` gives the Electron IPC adapter a window's principal. */
  users: UsersModule;
  /** Open event streams (SSE, IPC), bound to their credentials; ended on stop. */
  streams: EventStreams;
  modules: readonly CoreModule[];
  /** The cron scheduler; the desktop app calls `resume()` when the machine wakes (powerMonitor). */
  scheduler: Pick<SchedulerModule, 'resume'>;
  /** What the HTTP server's lean route of `POST /webhooks/*` hands deliveries to, and the mask for its answers. */
  webhookDeliveries: { receiver: WebhookReceiver; mask<T>(value: T): T };
  /** The folder watchers (tests wait on what a watcher has seen). */
  watchers: Pick<WatcherModule, 'watcher' | 'views'>;
  /** Calls a procedure through the dispatcher, throwing on an error envelope (CLI and tests). */
  invoke<T = unknown>(name: keyof typeof CONTRACT & string, input: unknown, ctx: CallContext): Promise<T>;
  start(): Promise<void>;
  /** Stop accepting, let running work reach a safe point, checkpoint and close the database. */
  stop(): Promise<void>;
  readonly stopped: boolean;
}

/** The composition root: builds the core from its ports. Nothing here is a global. */
export async function createCore(options: CoreOptions): Promise<Core> {
  const { paths } = options;
  const clock = options.clock ?? systemClock;
  for (const dir of [paths.dataDir, paths.logsDir, paths.artifactsDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });

  const redactor = new Redactor();
  const fileSink = new RotatingFileSink(paths.logFile);
  const sinks: LogSink[] = [fileSink, ...(options.extraLogSinks ?? [])];
  const logger = createLogger({ sinks, level: options.logLevel ?? 'info', redact: (v) => redactor.maskDeep(v), now: () => clock.now() });
  const startedAt = clock.now();

  const bus = new EventBus(() => clock.now(), (v) => redactor.maskDeep(v), logger.child('Events'));
  const config = new ConfigStore({
    configDir: paths.configDir,
    defaultConfigDir: paths.defaultConfigDir,
    logger: logger.child('Config'),
    onReloaded: (file) => bus.publish('config.reloaded', { file }),
    onRejected: (file, errors) => bus.publish('config.rejected', { file, errors }),
  });
  const problems = config.load();
  if (problems.length) {
    if (options.strictConfig) {
      fileSink.close();
      throw new ConfigInvalidError(problems);
    }
    logger.child('Config').error('Invalid configuration; built-in defaults are in force for the files named', { problems });
  }

  let db: Database;
  try {
    db = openDatabase({ file: paths.dbFile, nativeBinding: options.nativeBinding });
  } catch (e) {
    fileSink.close();
    throw e;
  }
  if (!db.prepare("select 1 from meta where key = 'first_start'").get()) {
    db.prepare("insert into meta(key, value) values ('first_start', ?)").run(new Date(startedAt).toISOString());
  }

  const audit = new AuditLog(db, () => clock.now(), redactor);
  const secrets =
    options.secretStore ??
    createSecrets({
      dataDir: paths.dataDir,
      db,
      clock,
      logger: logger.child('Secrets'),
      redactor,
      audit,
      order: () => config.orchestrator.secrets.backends,
      keychainTimeoutMs: () => config.orchestrator.secrets.keychain_timeout_ms,
      env: options.env,
      keychain: options.keychain,
    });

  const services: CoreServices = {
    version: options.version,
    startedAt,
    paths,
    clock,
    logger,
    config,
    db,
    bus,
    redactor,
    audit,
    writes: new WriteBatcher(db, (e) => logger.child('Engine').error(`A deferred write failed: ${(e as Error).message}`, { error: e as Error })),
    secrets,
    notifier: options.notifier ?? createHeadlessNotifier(logger.child('Notifier')),
    host: {},
  };

  // Modules in start order; each later issue adds its module here. Each gets the ports it uses.
  const { writes, notifier } = services;
  const users = createUsersModule({ db, clock, logger, audit }, options.users);
  const clusters = createClusters({ db, clock, logger, bus, rules: () => config.get('failure_rules.yaml').rules, writes });
  // The one owner of the runs and run_steps tables: the engine, the queue, HITL and the CLI use it.
  // Failure clusters hear of each failure in the transaction that records it.
  const runs = new RunRepository(db, writes, (message, runId, error) => logger.child('Engine').error(message, { runId, error: error as Error }), clusters.sink);
  const engine = createEngine({ clock, logger, bus, redactor, config, secrets, notifier, paths }, runs, { browserPath: options.browserPath, screenLocked: options.screenLocked });
  const templates = createTemplatesModule({ db, clock, bus, paths }, { registry: engine.registry });
  const queue = createQueueModule({ db, clock, logger, bus, redactor, config, writes, paths }, { runs, executor: engine, templates: templates.catalog });
  const approvals = createApprovalsModule({ db, clock, logger, bus, config }, { runs, queue: queue.queue });
  const scheduler = createSchedulerModule({
    db,
    clock,
    logger: logger.child('Scheduler'),
    bus,
    config,
    queue: queue.queue,
    runActive: (runId) => runIsActive(runs, runId),
    templateExists: (name) => templates.catalog.load(name) !== undefined,
    queueNames: () => Object.keys(config.orchestrator.queues),
  });
  const webhooks = createWebhookModule({
    db,
    clock,
    logger: logger.child('Webhook'),
    bus,
    config,
    queue: queue.queue,
    secrets,
    templateExists: (name) => templates.catalog.load(name) !== undefined,
    queueNames: () => Object.keys(config.orchestrator.queues),
  });
  const watchers = createWatcherModule({
    db,
    clock,
    logger: logger.child('Watcher'),
    bus,
    config,
    queue: queue.queue,
    templateExists: (name) => templates.catalog.load(name) !== undefined,
    queueNames: () => Object.keys(config.orchestrator.queues),
  });
  const modules: CoreModule[] = [
    createSystemModule(services),
    users,
    createSecretsModule({ db, clock, redactor, secrets }),
    templates,
    queue,
    approvals,
    createClustersModule(clusters),
    createMetricsModule({
      clock,
      sources: {
        runs: createRunFigures(db),
        queueDepthPeak: createDepthFigures(db),
        rbac: (now) => rbacMetrics(db, now),
        hitl: (now) => approvals.approvals.metrics(now),
        secretsLookups: (now) => secretsLookups24h(db, now),
        queues: () => queue.queue.queues().map(({ name, depth, running, paused }) => ({ name, depth, running, paused })),
        clusters: (now) => clusters.metrics(now),
        schedules: (now, runs) => scheduleFigures(scheduler.views(), runs, now),
        triggers: (now, runs) => triggerFigures([...watchers.figures(now), ...webhooks.figures(now)], runs),
      },
    }),
    scheduler,
    webhooks,
    watchers,
  ];
  const authenticator: Authenticator = users.authenticator;
  const streams = new EventStreams({ clock, logger: logger.child('API') });
  users.service.onCredentialsChanged(() => streams.recheck());

  const handlers: HandlerMap = {};
  for (const m of modules) Object.assign(handlers, m.handlers);
  const dispatcher = createDispatcher({
    procedures: PROCEDURES,
    handlers,
    audit: services.audit,
    logger: logger.child('API'),
    rbacLogger: logger.child('RBAC'),
    redactor,
    isPublic: (condition) => (condition === 'public_metrics' ? config.orchestrator.api.public_metrics : users.service.count() === 0),
    validateOutputs: options.validateOutputs,
  });

  let stopped = false;
  let started: CoreModule[] = [];
  // Checkpoints move to a worker thread once it is up; until then (or if it cannot start) SQLite's
  // automatic checkpoint stays on.
  let checkpointer: Promise<Checkpointer | undefined> | undefined;
  const startCheckpoints = () =>
    startCheckpointer({ file: paths.dbFile, nativeBinding: options.nativeBinding, onError: (m) => logger.warn('WAL checkpoint failed', { error: m }) }).then(
      (c) => {
        if (stopped) {
          void c.stop();
          return undefined;
        }
        db.pragma('wal_autocheckpoint = 0');
        return c;
      },
      (e: Error) => {
        logger.warn('The checkpoint worker did not start; SQLite checkpoints automatically', { error: e.message });
        return undefined;
      },
    );

  const core: Core = {
    ...services,
    dispatcher,
    engine,
    runs,
    approvals: approvals.approvals,
    authenticator,
    users,
    streams,
    modules,
    scheduler,
    watchers,
    webhookDeliveries: { receiver: webhooks.service, mask: (v) => redactor.maskDeep(v) },
    get stopped() {
      return stopped;
    },
    async invoke<T>(name: string, input: unknown, ctx: CallContext): Promise<T> {
      const r = await dispatcher.dispatch(name, input, ctx);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
      return r.data as T;
    },
    async start() {
      for (const m of modules) {
        await m.start?.();
        started.push(m);
      }
      if (options.watchConfig) await config.watch();
      checkpointer = startCheckpoints();
      logger.info('Core started', { version: options.version, dataDir: paths.dataDir });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      streams.endAll();
      const worker = await checkpointer;
      await worker?.stop();
      db.pragma('wal_autocheckpoint = 1000');
      for (const m of [...started].reverse()) {
        try {
          await m.stop?.();
        } catch (e) {
          logger.error(`Module ${m.name} did not stop cleanly`, { error: e as Error });
        }
      }
      started = [];
      await config.close();
      try {
        services.writes.flush();
        checkpoint(db, 'TRUNCATE');
      } catch (e) {
        logger.warn('Final WAL checkpoint failed', { error: e as Error });
      }
      db.close();
      logger.info('Core stopped');
      for (const s of sinks) s.close();
    },
  };
  return core;
}

/** Is a run still waiting or running (a schedule's `overlap`)? Read through the runs repository. */
function runIsActive(runs: RunRepository, runId: string): boolean {
  runs.flush();
  const run = runs.read.row(runId);
  return run !== undefined && !isFinal(run.status);
}
