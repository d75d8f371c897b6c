import { CONTRACT, EVENT_TYPES, type ProcedureName } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { liveStateOf, type EventHandlers, type Transport } from '@shared/client/agent-client';
import { callOverHttp, parseHttpResponse } from '@shared/client/http-request';

/** The browser APIs the HTTP transport uses, passed in so nothing else in the renderer touches them. */
export interface HttpEnvironment {
  fetch: typeof fetch;
  EventSource: typeof EventSource;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const unreachable = (e: unknown): ErrorBody => ({
  code: 'UNAVAILABLE',
  message: `Cannot reach the Desktop Agent API: ${e instanceof Error ? e.message : String(e)}`,
});

/**
 * The served UI's transport: REST calls with the session cookie (`credentials: 'same-origin'`)
 * and the event stream from `EventSource('/api/events')`. When the stream is refused, one plain
 * request learns why (401, 403) so the header can say so; the stream is retried after `retryMs`.
 */
export function createHttpTransport(env: HttpEnvironment, options: { retryMs?: number } = {}): Transport {
  const retryMs = options.retryMs ?? 10_000;
  const eventsPath = CONTRACT['events.subscribe'].http.path;

  return {
    kind: 'http',
    call: (name: ProcedureName, input: unknown) => callOverHttp(env.fetch, CONTRACT[name], input, { credentials: 'same-origin', unreachable }),

    subscribe(handlers: EventHandlers) {
      let source: EventSource | undefined;
      let retry: unknown;
      let closed = false;

      // The stream was refused: ask once more with a plain request, read the status, and hang up.
      const diagnose = async () => {
        const abort = new AbortController();
        try {
          const res = await env.fetch(eventsPath, { credentials: 'same-origin', signal: abort.signal, headers: { accept: 'text/event-stream' } });
          if (res.ok) return handlers.state('offline');
          const answer = parseHttpResponse(CONTRACT['events.subscribe'], res.status, res.headers.get('content-type') ?? '', await res.text());
          if (!answer.ok) handlers.state(liveStateOf(answer.error), answer.error);
        } catch (e) {
          handlers.state('offline', unreachable(e));
        } finally {
          abort.abort();
        }
      };

      const open = () => {
        if (closed) return;
        handlers.state('connecting');
        const es = new env.EventSource(eventsPath);
        source = es;
        es.onopen = () => handlers.state('live');
        es.onerror = () => {
          if (closed || source !== es) return;
          if (es.readyState === env.EventSource.CLOSED) {
            es.close();
            void diagnose().finally(() => {
              if (!closed) retry = env.setTimeout(open, retryMs);
            });
          } else {
            // The browser reconnects by itself (the server asked for `retry: 2000`).
            handlers.state('offline');
          }
        };
        const deliver = (e: Event) => {
          try {
            handlers.event(JSON.parse((e as MessageEvent).data as string) as AgentEvent);
          } catch {
            // A malformed event is dropped; the stream itself stays up.
          }
        };
        for (const type of EVENT_TYPES) es.addEventListener(type, deliver);
      };

      open();
      return () => {
        closed = true;
        env.clearTimeout(retry);
        source?.close();
      };
    },
  };
}
