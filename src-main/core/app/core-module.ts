import type { Database } from 'better-sqlite3';
import type { Contract, ProcedureName } from '@shared/contract';
import type { Handler, HandlerMap } from '../api/dispatcher';
import type { ConfigStore } from '../config/config-store';
import type { WriteBatcher } from '../db/write-batcher';
import type { AuditLog } from '../security/audit/audit-log';
import type { Redactor } from '../security/redaction';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, Notifier, Paths, SecretStore } from '../kernel/ports';

/** What every module of the core is built from. */
export interface CoreServices {
  version: string;
  startedAt: number;
  paths: Paths;
  clock: Clock;
  logger: Logger;
  config: ConfigStore;
  db: Database;
  bus: EventBus;
  redactor: Redactor;
  audit: AuditLog;
  /** Group commit for the run hot path (db/write-batcher.ts). */
  writes: WriteBatcher;
  secrets: SecretStore;
  notifier: Notifier;
  /** What the host (serve, the desktop app) reports about itself; shown by `system.status`. */
  host: HostStatus;
}

export interface HostStatus {
  /** The loopback API: its address, or why it did not start (the desktop app starts anyway). */
  api?: { url: string | null; error: string | null };
}

/**
 * A part of the core: the procedures it implements and how it starts and stops. Modules start
 * in the order they are listed in create-core.ts and stop in reverse.
 */
export interface CoreModule {
  name: string;
  handlers?: HandlerMap;
  start?(): void | Promise<void>;
  /** Stop accepting work and let running work reach a safe point. */
  stop?(): void | Promise<void>;
}

/** Implementations typed by the contract: each handler gets its procedure's parsed input type. */
export type ContractHandlers = { [N in ProcedureName]: Handler<Contract[N]> };

export function contractHandlers(handlers: Partial<ContractHandlers>): HandlerMap {
  return handlers as HandlerMap;
}
