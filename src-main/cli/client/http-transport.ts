import { CONTRACT, type ProcedureName } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { liveStateOf, type EventHandlers, type Transport } from '@shared/client/agent-client';
import { callOverHttp, parseHttpResponse } from '@shared/client/http-request';

export interface NodeHttpTarget {
  /** The running instance, e.g. `http://127.0.0.1:8000` (no trailing slash). */
  url: string;
  /** `Basic …` or `Bearer …`; none for public procedures. */
  authorization?: string;
}

const unreachable = (url: string, e: unknown): ErrorBody => {
  const err = e as Error & { cause?: Error };
  return { code: 'UNAVAILABLE', message: `cannot reach Desktop Agent at ${url}: ${err.cause?.message ?? err.message}` };
};

/**
 * The CLI's HTTP transport: the same request mapping as the served UI's (`@shared/client`), with
 * an Authorization header instead of a cookie, and the event stream read from fetch's body
 * (Node has no EventSource). A stream that ends is reported `offline` and not reopened: the CLI's
 * calls are short, and whoever follows a run also reads it.
 */
export function createNodeHttpTransport(target: NodeHttpTarget): Transport {
  const headersFor = (extra: Record<string, string>) => ({ ...extra, ...(target.authorization ? { authorization: target.authorization } : {}) });
  return {
    kind: 'http',
    call: (name: ProcedureName, input: unknown) =>
      callOverHttp(fetch, CONTRACT[name], input, { baseUrl: target.url, headers: headersFor({}), unreachable: (e) => unreachable(target.url, e) }),

    subscribe(handlers: EventHandlers) {
      const abort = new AbortController();
      const proc = CONTRACT['events.subscribe'];
      void (async () => {
        handlers.state('connecting');
        try {
          const res = await fetch(`${target.url}${proc.http.path}`, { headers: headersFor({ accept: 'text/event-stream' }), signal: abort.signal });
          if (!res.ok || !res.body) {
            const answer = parseHttpResponse(proc, res.status, res.headers.get('content-type') ?? '', await res.text());
            if (!answer.ok) handlers.state(liveStateOf(answer.error), answer.error);
            return;
          }
          handlers.state('live');
          await readEventStream(res.body, handlers.event);
          if (!abort.signal.aborted) handlers.state('offline');
        } catch (e) {
          if (!abort.signal.aborted) handlers.state('offline', unreachable(target.url, e));
        }
      })();
      return () => abort.abort();
    },
  };
}

/** Server-Sent Events: `data:` lines up to a blank line make one event; comments and `retry:` are skipped. */
export async function readEventStream(body: ReadableStream<Uint8Array>, deliver: (e: AgentEvent) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length) {
          try {
            deliver(JSON.parse(data.join('\n')) as AgentEvent);
          } catch {
            // A malformed event is dropped; the stream stays up.
          }
        }
        data = [];
      } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}
