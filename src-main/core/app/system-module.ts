import { CONTRACT } from '@shared/contract';
import { buildOpenApi, renderDocsPage } from '../api/openapi';
import { contractHandlers, type CoreModule, type CoreServices } from './core-module';

/** Health, status, API description and the event-stream gate. */
export function createSystemModule(services: CoreServices): CoreModule {
  const procedures = Object.values(CONTRACT);
  return {
    name: 'system',
    handlers: contractHandlers({
      'system.health': () => ({ status: 'ok' as const, version: services.version }),
      'system.status': () => ({
        version: services.version,
        data_dir: services.paths.dataDir,
        config_dir: services.paths.configDir,
        started_at: new Date(services.startedAt).toISOString(),
        config_problems: [...services.config.problems.values()].flat(),
        ...(services.host.api ? { api: services.host.api } : {}),
      }),
      'system.openapi': () => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(buildOpenApi(procedures, services.version), null, 2) }),
      'system.docs': () => ({ contentType: 'text/html; charset=utf-8', body: renderDocsPage(procedures, services.version) }),
      // The stream itself is served by the transports; invoking this checks access only.
      'events.subscribe': () => ({}),
    }),
  };
}
