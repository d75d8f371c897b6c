import { CONTRACT } from '@shared/contract';
import { buildOpenApi, renderDocsPage } from '../api';
import type { ConfigStore } from '../config';
import { contractHandlers, type CoreModule } from '../kernel/module';
import type { Paths } from '../kernel/ports';

export interface HostStatus {
  /** The loopback API: its address, or why it did not start (the desktop app starts anyway). */
  api?: { url: string | null; error: string | null };
}

/** What the system module reports from. */
export interface SystemModulePorts {
  version: string;
  startedAt: number;
  paths: Pick<Paths, 'dataDir' | 'configDir'>;
  config: Pick<ConfigStore, 'problems'>;
  /** What the host (serve, the desktop app) reports about itself; shown by `system.status`. */
  host: HostStatus;
}

/** Health, status, API description and the event-stream gate. */
export function createSystemModule(services: SystemModulePorts): CoreModule {
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
