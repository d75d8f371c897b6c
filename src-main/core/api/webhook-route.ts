import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorBody } from '@shared/contract/errors';
import { AppError } from '../kernel/errors';
import type { Logger } from '../kernel/ports';
import { errorAnswer, SECURITY_HEADERS } from './http-answers';

/** A delivery as the webhook service reads it: its body comes from `readBody`, which stops past `limit` bytes (undefined: 413). */
export interface WebhookDelivery {
  headers: Record<string, unknown>;
  /** The socket's address, never a forwarded header. */
  ip: string;
  readBody(limit: number): Promise<Buffer | undefined>;
}

/** What answers `POST /webhooks/{path}` (the webhook service); throws AppErrors with SPEC's codes. */
export interface WebhookReceiver {
  receive(path: string, delivery: WebhookDelivery): Promise<{ run_id: string }>;
}

export interface WebhookRouteOptions {
  receiver: WebhookReceiver;
  /** The API's Host check (DNS rebinding): a delivery to a foreign Host is 421 like any request. */
  hostAllowed(host: string | undefined): boolean;
  /** The redactor, as the dispatcher masks every answer. */
  mask<T>(value: T): T;
  logger: Logger;
}

const PREFIX = '/webhooks/';

/** Is this request a webhook delivery (served by the lean route, not Fastify)? */
export function isWebhookDelivery(req: IncomingMessage): boolean {
  return req.method === 'POST' && req.url !== undefined && req.url.startsWith(PREFIX);
}

/**
 * The lean route of `POST /webhooks/*` (decision 0040): straight from node:http to the webhook
 * service. A delivery has no session, no RBAC and no audit entry (its signature is its
 * authentication, checked by the service in SPEC's order), so the generic path's work — routing,
 * hooks, the dispatcher's input walk and zod parse of every header, the envelope — bought nothing
 * and cost more than the delivery's own checks. What the API does for every request stays: the
 * Host check (421), the security headers, the error shape, `Retry-After` and the 401 challenge.
 * The body is read only after 404 and 403, into one Buffer, and no further than the webhook's limit.
 */
export function webhookRoute(o: WebhookRouteOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (req: IncomingMessage, res: ServerResponse, e: unknown) => {
    if (e instanceof AppError) return send(req, res, errorAnswer(o.mask(toBody(e))));
    // As the dispatcher does: the raw text stays in the log, the sender gets an id to quote.
    const errorId = randomUUID().slice(0, 8);
    o.logger.error('Procedure webhooks.receive failed', { errorId, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    return send(req, res, errorAnswer({ code: 'INTERNAL', message: `Internal error in webhooks.receive (error id ${errorId}; the log has the details)`, details: { errorId } }));
  };
  return (req, res) => {
    if (!o.hostAllowed(req.headers.host)) {
      o.logger.warn('Refused a request with a foreign Host header (DNS rebinding defence)', { host: req.headers.host, ip: req.socket.remoteAddress });
      return send(req, res, errorAnswer({ code: 'MISDIRECTED_REQUEST', message: `Host '${req.headers.host ?? ''}' is not this loopback server` }));
    }
    const url = req.url!;
    const query = url.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(url.slice(PREFIX.length, query < 0 ? undefined : query));
    } catch {
      return send(req, res, errorAnswer({ code: 'NOT_FOUND', message: `No webhook at ${url.slice(0, 200)}` }));
    }
    const delivery: WebhookDelivery = { headers: req.headers, ip: req.socket.remoteAddress ?? '', readBody: (limit) => readBody(req, limit) };
    o.receiver.receive(path, delivery).then(
      (out) => send(req, res, { status: 202, headers: {}, body: { run_id: out.run_id } }),
      (e: unknown) => fail(req, res, e),
    );
    return undefined;
  };
}

function toBody(e: AppError): ErrorBody {
  return e.details === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, details: e.details };
}

function send(req: IncomingMessage, res: ServerResponse, a: { status: number; headers: Record<string, string>; body: unknown }): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(a.body);
  res.writeHead(a.status, {
    ...SECURITY_HEADERS,
    ...a.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    // Answered before the body was read to its end (404, 403, 413): the rest is not read, the connection ends.
    ...(req.complete ? {} : { connection: 'close' }),
  });
  res.end(text);
}

/** The body in one Buffer; undefined, without reading further, once it is longer than `limit` (or says it will be). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        done();
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    };
    // The sender went away before its body was complete: nothing to answer, nothing recorded.
    const onGone = () => {
      done();
      reject(new AppError('VALIDATION_ERROR', 'The request ended before its body did'));
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}
