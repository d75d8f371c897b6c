import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ErrorBody } from '@shared/contract/errors';
import type { ProcedureDef, RawResponse } from '@shared/contract/procedure';
import type { EventBus } from '../kernel/event-bus';
import type { Logger } from '../kernel/ports';
import { SESSION_COOKIE, type Authenticator } from '../kernel/authenticator';
import type { Dispatcher } from './dispatcher';
import type { EventStreams } from './event-streams';
import { isAllowedHost, isCrossSite, ownOrigins, type HostPolicy } from './host-guard';
import { ANONYMOUS, type CallContext } from '../kernel/principal';
import { endsSession, sessionEffect } from './session-binding';
import { streamEvents } from './sse';
import { contentTypeOf, openStatic, resolveStatic } from './static-files';
import { errorAnswer, SECURITY_HEADERS } from './http-answers';
import { isWebhookDelivery, webhookRoute, type WebhookReceiver } from './webhook-route';

export interface HttpServerOptions {
  dispatcher: Dispatcher;
  authenticator: Authenticator;
  bus: EventBus;
  logger: Logger;
  host: string;
  port: number;
  allowRemote: boolean;
  bodyLimitBytes: number;
  /** The built renderer, served at `/` (SPA fallback to index.html). */
  staticDir?: string;
  /** The core's clock (session cookie lifetimes follow the session's expiry). */
  now?: () => number;
  /** Open event streams, bound to their credentials and capped per principal (the core's). */
  streams: EventStreams;
  /**
   * Serves `POST /webhooks/*` on the lean route (webhook-route.ts), with the redactor's mask for its
   * answers. Without it those deliveries take the generic route through the dispatcher.
   */
  webhooks?: { receiver: WebhookReceiver; mask<T>(value: T): T };
}

export interface RunningHttpServer {
  url: string;
  port: number;
  app: FastifyInstance;
  /** Every route registered, for the tests that walk the surface. */
  routes: readonly { method: string; url: string }[];
  close(): Promise<void>;
}

const HTML_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function sendError(reply: FastifyReply, e: ErrorBody): FastifyReply {
  const a = errorAnswer(e);
  return reply.code(a.status).headers(a.headers).header('cache-control', 'no-store').send(a.body);
}

/** The served UI's session cookie: HttpOnly (no page script reads it), SameSite=Strict (no other site sends it). */
function sessionCookie(value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.round(maxAgeS))}`;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** The HTTP adapter: Host and Origin checks, authentication, then the same dispatcher as IPC. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const log = options.logger;
  const now = options.now ?? Date.now;
  const routes: { method: string; url: string }[] = [];
  /** This server's open event streams, ended by close(). */
  const ownStreams = new Set<() => void>();
  // The port is known only after listen (port 0 picks a free one).
  const policy: HostPolicy & { origins: Set<string> } = { port: options.port, allowRemote: options.allowRemote, origins: ownOrigins(options.host, options.port) };
  const hooks = options.webhooks;
  const deliveries = hooks && webhookRoute({ receiver: hooks.receiver, mask: hooks.mask, logger: log, hostAllowed: (host) => isAllowedHost(host, policy) });
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Webhook deliveries go to their lean route before Fastify sees them; the rest as Fastify would.
    ...(deliveries && {
      serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void, o: { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number }) => {
        const server = createServer((req, res) => (isWebhookDelivery(req) ? deliveries(req, res) : handler(req, res)));
        // What Fastify sets on the server it makes itself.
        if (o.keepAliveTimeout !== undefined) server.keepAliveTimeout = o.keepAliveTimeout;
        if (o.requestTimeout !== undefined) server.requestTimeout = o.requestTimeout;
        server.setTimeout(o.connectionTimeout ?? 0);
        return server;
      },
    }),
  });

  // Bodies are read as text once; JSON is parsed here so a bad body gets our error shape, and
  // the raw text stays available for signature checks.
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    if (!isAllowedHost(req.headers.host, policy)) {
      log.warn('Refused a request with a foreign Host header (DNS rebinding defence)', { host: req.headers.host, ip: req.ip });
      return sendError(reply, { code: 'MISDIRECTED_REQUEST', message: `Host '${req.headers.host ?? ''}' is not this loopback server` });
    }
    if (!req.url.startsWith('/webhooks/') && isCrossSite(req.headers as Record<string, string>, req.method, policy)) {
      log.warn('Refused a cross-site request', { origin: req.headers.origin, url: req.url, ip: req.ip });
      return sendError(reply, { code: 'CROSS_SITE_REQUEST', message: `Cross-site requests are refused (Origin '${req.headers.origin ?? ''}')` });
    }
    return undefined;
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) reply.header('content-security-policy', HTML_CSP);
    return payload;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (error.statusCode === 413) {
      return sendError(reply, { code: 'PAYLOAD_TOO_LARGE', message: `Request body is larger than ${options.bodyLimitBytes} bytes` });
    }
    if (error.statusCode === 415) return sendError(reply, { code: 'UNSUPPORTED_MEDIA_TYPE', message: error.message });
    if (error.statusCode && error.statusCode < 500) return sendError(reply, { code: 'VALIDATION_ERROR', message: error.message });
    log.error('Unhandled HTTP error', { error: error.stack ?? error.message });
    return sendError(reply, { code: 'INTERNAL', message: 'Internal error' });
  });

  const context = async (req: FastifyRequest, proc: ProcedureDef): Promise<CallContext> => {
    // Public procedures ignore credentials (a webhook sender's own Authorization header must not
    // count as a failed sign-in), except ending a session, which needs to know whose.
    if (proc.access === 'public' && proc.session !== 'end') return { principal: ANONYMOUS, source: req.ip };
    const auth = await options.authenticator.authenticate({
      authorization: req.headers.authorization,
      sessionCookie: parseCookies(req.headers.cookie)[SESSION_COOKIE],
      ip: req.ip,
    });
    // The CLI's calls are audited as `cli` wherever they run (in-process or through this server).
    const source = auth.principal.kind === 'user' && auth.principal.via === 'cli' ? 'cli' : req.ip;
    return { principal: auth.principal, authFailure: auth.failure, source };
  };

  for (const proc of options.dispatcher.procedures) {
    const url = routeUrlOf(proc.http.path);
    if (proc.http.stream) {
      app.get(url, async (req, reply) => {
        const ctx = await context(req, proc);
        const q = req.query as Record<string, string>;
        const p = ctx.principal;
        const owner = p.kind === 'user' ? p.id : 'anonymous';
        // One audit row when a principal starts streaming, not one per tab or reconnect.
        const denied = options.dispatcher.authorize(proc.name, ctx, q, { auditGrant: options.streams.count(owner) === 0 });
        if (denied) return sendError(reply, denied);
        reply.hijack();
        const end = streamEvents(reply.raw, options.bus, {
          lastEventId: req.headers['last-event-id'] as string | undefined,
          types: q.types?.split(',').filter(Boolean),
          extraHeaders: SECURITY_HEADERS,
        });
        const open = options.streams.add({
          owner,
          credential: p.kind === 'user' ? options.authenticator.credential(p) : { holds: () => true },
          end,
        });
        const endOnClose = () => {
          open.release();
          end('shutdown');
        };
        ownStreams.add(endOnClose);
        reply.raw.on('close', () => {
          ownStreams.delete(endOnClose);
          open.release();
        });
        return reply;
      });
      continue;
    }
    app.route({
      method: proc.http.method,
      url,
      // A webhook answers 404/403 before 413 and has its own max_body_kb (up to 10 MB), checked by the receiver.
      ...(proc.http.includeRequest ? { bodyLimit: 10 * 1024 * 1024 + 1 } : {}),
      handler: async (req, reply) => {
        if (proc.http.appRoute && isBrowserNavigation(req)) {
          return reply.code(303).header('location', appLocation(proc.http.appRoute, req.params as Record<string, string>)).header('cache-control', 'no-store').send();
        }
        const input = buildInput(proc, req);
        if ('error' in input) return sendError(reply, input.error);
        const ctx = await context(req, proc);
        const result = await options.dispatcher.dispatch(proc.name, input.value, ctx);
        const effect = sessionEffect(proc, result.ok ? result.data : undefined);
        if (endsSession(proc, result)) reply.header('set-cookie', sessionCookie('', 0));
        if (!result.ok) return sendError(reply, result.error);
        if (effect?.kind === 'issue') reply.header('set-cookie', sessionCookie(effect.token, (Date.parse(effect.expiresAt) - now()) / 1000));
        if (proc.http.raw) return sendRaw(reply, result.data as RawResponse);
        return reply
          .code(proc.http.status ?? 200)
          .header('cache-control', 'no-store')
          .send(result.data ?? {});
      },
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // The UI's routes are hash routes, so the page is only `/`; other paths are its files
    // (with an extension) or nothing: an unknown path answers 404 JSON, never the page.
    const uiPath = path === '/' || /\.[a-z0-9]+$/i.test(path);
    if (uiPath && req.method === 'GET' && options.staticDir) {
      const file = resolveStatic(options.staticDir, path);
      if (file) {
        return reply
          .type(contentTypeOf(file))
          .header('cache-control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600')
          .send(openStatic(file));
      }
    }
    return sendError(reply, { code: 'NOT_FOUND', message: `No route ${req.method} ${path}` });
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  policy.port = port;
  policy.origins = ownOrigins(options.host, port);
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const url = `http://${hostForUrl}:${port}`;
  log.info(`Loopback API listening on ${url}`);
  return {
    url,
    port,
    app,
    routes,
    close: async () => {
      // A browser tab holds /api/events open for as long as it likes; the server ends the
      // streams itself, or closing would wait for every tab to go away.
      for (const endStream of [...ownStreams]) endStream();
      await app.close();
    },
  };
}

/** A binding's path as a Fastify route: `{id}` → `:id`; a webhook's `{path}` → `*` (it may hold slashes). */
export function routeUrlOf(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'path' && path.startsWith('/webhooks/') ? '*' : `:${name}`));
}

/** A page load in a browser (fetch metadata), as opposed to a script, curl or the CLI. */
function isBrowserNavigation(req: FastifyRequest): boolean {
  return req.method === 'GET' && req.headers['sec-fetch-mode'] === 'navigate';
}

/** The app route with the request's path parameters filled in, each encoded (nothing else of the request goes into it). */
export function appLocation(route: string, params: Record<string, string>): string {
  return route.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
}

function buildInput(proc: ProcedureDef, req: FastifyRequest): { value: Record<string, unknown> } | { error: ErrorBody } {
  const params = { ...(req.params as Record<string, string>) };
  if ('*' in params) {
    params.path = params['*']!;
    delete params['*'];
  }
  const query = (req.query ?? {}) as Record<string, unknown>;
  const raw = typeof req.body === 'string' ? req.body : undefined;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let body: Record<string, unknown> = {};
  if (raw !== undefined && raw.length > 0 && proc.http.method !== 'GET') {
    if (type === 'application/json' || type.endsWith('+json') || (!type && /^\s*[{[]/.test(raw))) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        else if (!proc.http.includeRequest) return { error: { code: 'VALIDATION_ERROR', message: 'The JSON body must be an object' } };
      } catch (e) {
        if (!proc.http.includeRequest) return { error: { code: 'INVALID_JSON', message: `The body is not valid JSON: ${(e as Error).message}` } };
      }
    } else if (type === 'application/x-www-form-urlencoded' && proc.http.form) {
      body = Object.fromEntries(new URLSearchParams(raw));
    } else if (proc.http.rawBodyField) {
      body = { [proc.http.rawBodyField]: raw };
    } else if (!proc.http.includeRequest) {
      return { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: `Send application/json (got '${type || 'no content type'}')` } };
    }
  }
  const value: Record<string, unknown> = { ...query, ...body, ...params };
  if (proc.http.includeRequest) value.request = { headers: req.headers, ip: req.ip, raw_body: raw ?? '' };
  return { value };
}

function sendRaw(reply: FastifyReply, r: RawResponse): FastifyReply {
  reply.code(r.status ?? 200).type(r.contentType);
  if (r.headers) reply.headers(r.headers);
  if (r.fileName) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(r.fileName)}`);
  if (r.filePath) return reply.send(openStatic(r.filePath));
  return reply.send(r.body ?? '');
}
