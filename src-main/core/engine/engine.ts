import type { CoreServices } from '../app/core-module';
import type { SecretStore } from '../app/ports';
import { Engine, type SecretResolver } from './runner';

/** The engine's secrets port over the core's SecretStore (keychain, environment, encrypted file). */
export function secretResolverFrom(store: SecretStore): SecretResolver {
  return {
    resolve: async (ref) => (await store.get(ref))?.value,
  };
}

/** The engine of a core: runs steps against the core's database, config, secrets and notifier. */
export function createEngine(services: CoreServices, options: { browserPath?: string } = {}): Engine {
  return new Engine({
    db: services.db,
    clock: services.clock,
    logger: services.logger,
    bus: services.bus,
    redactor: services.redactor,
    config: () => services.config.orchestrator,
    secrets: secretResolverFrom(services.secrets),
    notifier: services.notifier,
    artifactsDir: services.paths.artifactsDir,
    browserPath: options.browserPath ?? services.config.orchestrator.web.browser_path ?? process.env.DESKTOP_AGENT_BROWSER_PATH,
  });
}
