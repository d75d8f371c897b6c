import type { ServerResponse } from 'node:http';
import type { AgentEvent } from '@shared/contract/events';
import type { EventBus } from '../kernel/event-bus';
import type { StreamEndReason } from './event-streams';

/**
 * Streams bus events to one HTTP client as Server-Sent Events. Resumes after a reconnect from
 * Last-Event-ID while the event is still in the bus's ring buffer; a comment line every 15 s
 * keeps proxies and the browser from timing out.
 */
export function streamEvents(
  res: ServerResponse,
  bus: EventBus,
  options: { lastEventId?: string; types?: string[]; heartbeatMs?: number; extraHeaders?: Record<string, string> },
): (reason?: StreamEndReason) => void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...options.extraHeaders,
  });
  const wanted = options.types?.length ? new Set(options.types) : undefined;
  const send = (e: AgentEvent) => {
    if (wanted && !wanted.has(e.type) && !wanted.has(e.type.split('.')[0]!)) return;
    res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  };
  res.write('retry: 2000\n\n');
  const last = Number(options.lastEventId);
  if (Number.isFinite(last) && last > 0) for (const e of bus.since(last)) send(e);
  const unsubscribe = bus.subscribe(send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
  heartbeat.unref();
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  res.on('close', stop);
  return (reason) => {
    stop();
    if (res.writableEnded || res.destroyed) return;
    // Said as a comment (EventSource ignores it; people and tests read it). A tab pushed out by the
    // per-principal cap waits longer before it reconnects, so tabs do not take turns evicting each other.
    if (reason === 'too_many_streams') res.write('retry: 30000\n\n');
    if (reason) res.write(`: stream ended: ${reason}\n\n`);
    res.end();
  };
}
