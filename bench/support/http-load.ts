import { connect, type Socket } from 'node:net';
import { percentile } from './report';

/**
 * A cheap HTTP/1.1 load generator: one raw keep-alive socket per connection, one request in flight
 * on each, the request bytes built by simple concatenation (only the delivery id changes), the
 * answer read by its status line and Content-Length. fetch() spent most of a core per 2,000 req/s
 * here, so it measured itself rather than the server.
 */
export interface LoadResult {
  rate: number;
  ok: number;
  bad: number;
  /** The answers other than the expected status, by `status body` (first 200 characters), with counts. */
  badAnswers: Record<string, number>;
  p50: number;
  p99: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  /** The request's bytes for the n-th request (n counts from 0 over all connections). */
  request(n: number): Buffer;
  expectStatus: number;
}

/** Builds the raw bytes of a POST with these headers and body (Content-Length added). */
export function rawPost(url: URL, headers: Record<string, string>, body: string): (extra: string) => Buffer {
  const head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}`;
  return (extra) => Buffer.from(`${head}${extra}\r\n${body}`);
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** The end of a chunked body starting at `from`, and its text; undefined while incomplete. */
function chunkedBody(buf: Buffer, from: number): { end: number; body: string } | undefined {
  let at = from;
  let body = '';
  for (;;) {
    const line = buf.indexOf('\r\n', at);
    if (line < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, line), 16);
    if (buf.length < line + 2 + size + 2) return undefined;
    body += buf.toString('utf8', line + 2, line + 2 + size);
    at = line + 2 + size + 2;
    if (size === 0) return { end: at, body };
  }
}

/** Reads answers off one socket: calls `answer(status, body)` for each complete response. */
function responseReader(answer: (status: number, body: string) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        const c = chunkedBody(buf, end + 4);
        if (!c) return;
        answer(status, c.body);
        buf = buf.subarray(c.end);
        continue;
      }
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      answer(status, buf.toString('utf8', end + 4, end + 4 + length));
      buf = buf.subarray(end + 4 + length);
    }
  };
}

export async function runHttpLoad(o: LoadOptions): Promise<LoadResult> {
  const url = new URL(o.url);
  const lat: number[] = [];
  const badAnswers: Record<string, number> = {};
  let ok = 0;
  let bad = 0;
  let n = 0;
  const start = performance.now();
  const end = start + o.seconds * 1000;
  await Promise.all(
    Array.from(
      { length: o.connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket: Socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
          let sentAt = 0;
          const send = () => {
            sentAt = performance.now();
            socket.write(o.request(n++));
          };
          socket.on(
            'data',
            responseReader((status, body) => {
              const now = performance.now();
              lat.push(now - sentAt);
              if (status === o.expectStatus) ok++;
              else {
                bad++;
                const key = `${status} ${body.slice(0, 200)}`;
                badAnswers[key] = (badAnswers[key] ?? 0) + 1;
              }
              if (now < end) send();
              else socket.end(resolve);
            }),
          );
          socket.on('error', reject);
          socket.on('connect', send);
        }),
    ),
  );
  return { rate: ok / ((performance.now() - start) / 1000), ok, bad, badAnswers, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}
