import type { ConfigStore } from '../config';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, Notifier, Paths, SecretStore } from '../kernel/ports';
import type { Redactor } from '../security';
import { secretNotFoundMessage } from '../security';
import type { RunRepository } from '../runs';
import { ActionRegistry, familiesWithScreenLock } from './registry';
import { Engine, type SecretResolver } from './runner';

/**
 * The engine's secrets port over the core's SecretStore (keychain, environment, encrypted file):
 * every lookup is audited with the run and step, and a miss says which backends could not be asked.
 */
export function secretResolverFrom(store: SecretStore): SecretResolver {
  return {
    resolve: async (ref, access) => {
      const r = await store.lookup(ref, { user: access.user, runId: access.runId, step: access.step, source: 'engine' });
      return r.found ? { found: true, value: r.value } : { found: false, message: secretNotFoundMessage(ref, r.unavailable) };
    },
  };
}

/** What the engine is built from. */
export interface EnginePorts {
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  redactor: Redactor;
  config: Pick<ConfigStore, 'orchestrator'>;
  secrets: SecretStore;
  notifier: Notifier;
  paths: Pick<Paths, 'artifactsDir' | 'dataDir' | 'configDir'>;
}

/** The engine of a core: runs steps against the core's database, config, secrets and notifier. */
export function createEngine(services: EnginePorts, runs: RunRepository, options: { browserPath?: string; screenLocked?: () => boolean | undefined } = {}): Engine {
  return new Engine({
    // The desktop app knows when the screen locks (powerMonitor); desktop steps then defer the run.
    registry: options.screenLocked ? new ActionRegistry(familiesWithScreenLock(options.screenLocked)) : undefined,
    runs,
    clock: services.clock,
    logger: services.logger,
    bus: services.bus,
    redactor: services.redactor,
    config: () => services.config.orchestrator,
    secrets: secretResolverFrom(services.secrets),
    notifier: services.notifier,
    artifactsDir: services.paths.artifactsDir,
    dirs: { dataDir: services.paths.dataDir, configDir: services.paths.configDir },
    // web.browser_path of orchestrator.yaml is the web actions' next choice (web/browser-discovery.ts).
    browserPath: options.browserPath ?? process.env.DESKTOP_AGENT_BROWSER_PATH,
  });
}
