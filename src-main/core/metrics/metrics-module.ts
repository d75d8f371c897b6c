import { join } from 'node:path';
import type { metricsContract } from '@shared/contract/metrics';
import { AppError } from '../kernel/errors';
import type { CoreModule, Handler, HandlerMap } from '../kernel/module';
import { packageInfo } from '../kernel/package-root';
import type { Clock } from '../kernel/ports';
import { collectMetrics, type MetricsSources } from './collect-metrics';
import { readDashboardPage } from './dashboard-page';
import { PROMETHEUS_CONTENT_TYPE, toPrometheus } from './prometheus';

type MetricsHandlers = { [N in keyof typeof metricsContract]: Handler<(typeof metricsContract)[N]> };

export interface MetricsModule extends CoreModule {
  snapshot(): ReturnType<typeof collectMetrics>;
}

/** GET /metrics, /metrics/prometheus and /public/dashboard: figures read from stored data on each call. */
export function createMetricsModule(deps: { clock: Clock; sources: MetricsSources; rendererDir?: string }): MetricsModule {
  const snapshot = () => collectMetrics(deps.sources, deps.clock.now());
  const rendererDir = deps.rendererDir ?? join(packageInfo().root, 'out', 'renderer');
  return {
    name: 'metrics',
    snapshot,
    handlers: {
      'metrics.get': () => snapshot(),
      'metrics.prometheus': async () => ({ contentType: PROMETHEUS_CONTENT_TYPE, body: await toPrometheus(snapshot()) }),
      'metrics.dashboardPage': () => {
        const body = readDashboardPage(rendererDir);
        if (!body) throw new AppError('NOT_FOUND', 'The dashboard page is not built: run `npm run build` (out/renderer is missing)');
        return { contentType: 'text/html; charset=utf-8', body };
      },
    } satisfies MetricsHandlers as HandlerMap,
  };
}
