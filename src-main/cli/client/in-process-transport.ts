import type { ProcedureName } from '@shared/contract';
import type { EventHandlers, Transport } from '@shared/client/agent-client';
import type { Dispatcher } from '../../core/api/dispatcher';
import type { Principal } from '../../core/kernel/principal';
import type { EventBus } from '../../core/kernel/event-bus';

/**
 * The CLI's transport while no instance runs on the data dir: the core built in this process,
 * every call through its dispatcher as the CLI's principal from source `cli`, so the gate checks
 * and audits it exactly as it does HTTP and IPC calls.
 */
export function createInProcessTransport(core: { dispatcher: Dispatcher; bus: EventBus }, principal: Principal): Transport {
  return {
    kind: 'in-process',
    call: (name: ProcedureName, input: unknown) => core.dispatcher.dispatch(name, input ?? {}, { principal, source: 'cli' }),
    subscribe(handlers: EventHandlers) {
      const refused = core.dispatcher.authorize('events.subscribe', { principal, source: 'cli' });
      if (refused) {
        handlers.state('forbidden', refused);
        return () => {};
      }
      handlers.state('live');
      return core.bus.subscribe(handlers.event);
    },
  };
}
