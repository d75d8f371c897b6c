import type { AgentApi } from '@shared/contract/ipc';
import type { ProcedureName } from '@shared/contract';
import { liveStateOf, type EventHandlers, type Transport } from '@shared/client/agent-client';

/** The Electron transport: `window.agent` from the preload, which main checks and dispatches. */
export function createIpcTransport(api: AgentApi): Transport {
  return {
    kind: 'ipc',
    async call(name: ProcedureName, input: unknown) {
      try {
        return await api.invoke(name, input ?? {});
      } catch (e) {
        return { ok: false, error: { code: 'UNAVAILABLE', message: `The app's core did not answer: ${e instanceof Error ? e.message : String(e)}` } };
      }
    },
    subscribe(handlers: EventHandlers) {
      handlers.state('connecting');
      return api.subscribe((message) => {
        if (message.kind === 'event') handlers.event(message.event);
        else if (message.live) handlers.state('live');
        else handlers.state(liveStateOf(message.error), message.error);
      });
    },
  };
}
