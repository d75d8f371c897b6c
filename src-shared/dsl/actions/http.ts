import { z } from 'zod';
import { defineActionSpec } from '../action-spec';
import { int, nonEmpty, text, timeoutMs } from '../params';
import { hasTemplate } from '../template-string';

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Scheme and host; the rest is checked by the HTTP client. */
const URL_PATTERN = /^https?:\/\/([^\s/?#@]+@)?([^\s/?#]+)(?:[/?#]\S*)?$/i;

const status = int(100, 599, 'an HTTP status');

export const makeRequest = defineActionSpec({
  name: 'make_request',
  family: 'http',
  summary: 'Send an HTTP request; fails unless the status is expected (any 2xx by default)',
  params: z
    .strictObject({
      url: nonEmpty(8_192, 'an http:// or https:// URL').superRefine((u, ctx) => {
        if (hasTemplate(u)) return;
        if (!URL_PATTERN.test(u)) ctx.addIssue({ code: 'custom', message: `'${u}' is not an http:// or https:// URL` });
      }),
      method: z
        .string()
        .transform((m) => m.toUpperCase())
        .pipe(z.enum(HTTP_METHODS, { error: `expected one of ${HTTP_METHODS.join(', ')}` }))
        .default('GET'),
      headers: z.record(z.string(), z.union([text(65_536), z.number(), z.boolean()]).transform(String)).default({}),
      query: z.record(z.string(), z.union([text(65_536), z.number(), z.boolean()]).transform(String)).optional(),
      body: text(10_000_000, 'the request body').optional(),
      json: z.unknown().optional(),
      timeout_ms: timeoutMs().default(30_000),
      expect_status: z.union([status, z.array(status).min(1)], { error: 'expected a status or a list of statuses' }).optional(),
    })
    .refine((p) => p.body === undefined || p.json === undefined, { error: 'give either body (text) or json, not both' }),
  idempotent: false,
  mutating: true,
  idempotentFor: (p) => IDEMPOTENT.has(p.method),
  mutatingFor: (p) => !READ_ONLY.has(p.method),
  risk: (p) => {
    if (READ_ONLY.has(p.method)) return undefined;
    const host = hostOf(p.url);
    const to = host ?? 'an address known only at run time';
    return { level: 'medium', reason: `sends a ${p.method} request to ${to}`, phrase: { key: 'sends_request', args: { method: p.method, host } } };
  },
});

/** The host of a URL as written; null when it is decided at run time. */
function hostOf(u: string): string | null {
  const host = URL_PATTERN.exec(u)?.[2];
  return host && !host.includes("{{") ? host : null;
}

export const HTTP_ACTION_SPECS = [makeRequest] as const;
