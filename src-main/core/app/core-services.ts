import type { Database } from 'better-sqlite3';
import type { ConfigStore } from '../config';
import type { WriteBatcher } from '../db/write-batcher';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, Notifier, Paths, SecretStore } from '../kernel/ports';
import type { AuditLog } from '../security';
import type { Redactor } from '../security';
import type { HostStatus } from '../system';

/**
 * What the composition root builds before the modules: the hosts and tests reach them on the Core.
 * A module is never handed this whole; its factory names the ports it uses (e.g. QueueModulePorts).
 */
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
