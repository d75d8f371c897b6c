import { request, type ClientRequest } from 'node:http';

export interface EventStreamClient {
  status: number;
  /** Everything received so far. */
  text(): string;
  /** The `event:` names received so far. */
  events(): string[];
  /** Whether the server has ended the stream. */
  ended(): boolean;
  /** Resolves when the server ends the stream. */
  whenEnded: Promise<void>;
  close(): void;
}

/**
 * A raw SSE client for `GET /api/events` (a browser tab's EventSource, without the reconnect),
 * resolved once the response headers arrived. A refused stream resolves too, with its status.
 */
export function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      let received = '';
      let done = false;
      let markEnded: () => void = () => {};
      const whenEnded = new Promise<void>((r) => (markEnded = r));
      res.setEncoding('utf8');
      res.on('data', (c: string) => (received += c));
      const finish = () => {
        done = true;
        markEnded();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve({
        status: res.statusCode ?? 0,
        text: () => received,
        events: () => [...received.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!),
        ended: () => done,
        whenEnded,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it holds or `ms` pass (tests wait for conditions, never for a time). */
export async function waitFor(check: () => boolean, ms = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
