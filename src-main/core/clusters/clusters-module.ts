import type { clustersContract } from '@shared/contract/clusters';
import type { CoreModule, Handler, HandlerMap } from '../kernel/module';
import { principalName } from '../kernel/principal';
import type { Clusters } from './clusters';

type ClusterHandlers = { [N in keyof typeof clustersContract]: Handler<(typeof clustersContract)[N]> };

/** Failure clusters as a core module: the clusters.* procedures over the service. */
export function createClustersModule(clusters: Clusters): CoreModule {
  return {
    name: 'clusters',
    handlers: {
      'clusters.list': ({ days, run_id, include_resolved }) => ({ items: clusters.list(days, run_id, include_resolved === 'true') }),
      'clusters.get': ({ id, days }) => clusters.get(id, days),
      'clusters.resolve': ({ id }, ctx) => clusters.resolve(id, principalName(ctx.principal)),
    } satisfies ClusterHandlers as HandlerMap,
  };
}
