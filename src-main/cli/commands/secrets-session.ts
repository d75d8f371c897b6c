import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { formatSecretRef, type SecretRef } from '@shared/domain/secret-ref';
import type { SecretsStatus } from '@shared/contract/secrets';
import { createLogger, RotatingFileSink } from '../../core/kernel/logger';
import { packageInfo } from '../../core/kernel/package-root';
import { resolvePaths } from '../../core/kernel/paths';
import type { SecretStore } from '../../core/kernel/ports';
import { runtimeOptions } from '../../host/runtime-options';
import { ConfigInvalidError, ConfigStore } from '../../core/config/config-store';
import { openDatabase } from '../../core/db/database';
import { nativeBindingPath } from '../../core/db/native-binding';
import { AuditLog, type AuditResult } from '../../core/security/audit/audit-log';
import { Redactor } from '../../core/security/redaction';
import { createSecrets } from '../../core/security/secrets/create-secrets';
import { secretsStatusReport } from '../../core/security/secrets/secrets-module';
import type { CliIo } from '../io';

export interface SecretsSession {
  store: SecretStore;
  redactor: Redactor;
  /** The OS user running the CLI (who the audit log names). */
  user: string | null;
  /** Records a CLI action in the audit log (user: the OS user; source: cli). */
  audited(entry: { action: string; ref?: SecretRef; result: AuditResult; details?: Record<string, unknown> }): void;
  status(): Promise<SecretsStatus>;
  close(): void;
}

/**
 * The secret store of a data dir, without a running server: the same database (WAL, so a
 * running server is not disturbed), configuration, log file and audit log as the core uses.
 */
export async function openSecretsAt(flags: Record<string, string | boolean | undefined>, io: CliIo): Promise<SecretsSession> {
  const options = runtimeOptions(flags, io.env);
  const { root } = packageInfo();
  const paths = resolvePaths({ dataDir: options.dataDir, configDir: options.configDir, defaultConfigDir: join(root, 'configs') });
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  const redactor = new Redactor();
  const sink = new RotatingFileSink(paths.logFile);
  const logger = createLogger({ sinks: [sink], redact: (v) => redactor.maskDeep(v) }, 'Secrets', { via: 'cli' });
  const config = new ConfigStore({ configDir: paths.configDir, defaultConfigDir: paths.defaultConfigDir, logger });
  const problems = config.load();
  if (problems.length) {
    sink.close();
    throw new ConfigInvalidError(problems);
  }
  let db;
  try {
    db = openDatabase({ file: paths.dbFile, nativeBinding: nativeBindingPath(root) });
  } catch (e) {
    sink.close();
    throw e;
  }
  const audit = new AuditLog(db, Date.now, redactor);
  const clock = { now: Date.now, setTimer: () => ({ cancel() {} }) };
  const store = createSecrets({
    dataDir: paths.dataDir,
    db,
    clock,
    logger,
    redactor,
    audit,
    order: () => config.orchestrator.secrets.backends,
    keychainTimeoutMs: () => config.orchestrator.secrets.keychain_timeout_ms,
    env: io.env,
  });
  let user: string | null = null;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the audit names no user, the source is still `cli`.
  }
  return {
    store,
    redactor,
    user,
    audited: (e) =>
      audit.record({ user, action: e.action, permission: 'manage_secrets', resource: e.ref ? formatSecretRef(e.ref) : null, result: e.result, source: 'cli', details: e.details }),
    status: () => secretsStatusReport(store, db, Date.now()),
    close: () => {
      store.close?.();
      db.close();
      sink.close();
    },
  };
}
