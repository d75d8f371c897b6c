import { z } from 'zod';
import { SIGNATURE_SCHEMES, WEBHOOK_ENDPOINT, WEBHOOK_ENDPOINT_HINT } from '../config/triggers';
import { defineProcedure, isoTime, ok } from './procedure';

const id = z.string().min(1).max(100);
const endpoint = z.string().regex(WEBHOOK_ENDPOINT, WEBHOOK_ENDPOINT_HINT);

/** A webhook as listings show it: never its secret, only whether one is set and where it is kept. */
export const webhookView = z.object({
  id: z.string(),
  name: z.string(),
  endpoint: z.string(),
  /** The same as endpoint (the path to POST to on this server). */
  path: z.string(),
  template: z.string(),
  signature: z.enum(SIGNATURE_SCHEMES),
  allowed_ips: z.array(z.string()),
  extract_variables: z.array(z.string()),
  queue: z.string(),
  priority: z.number().int(),
  enabled: z.boolean(),
  variables: z.record(z.string(), z.unknown()),
  max_body_kb: z.number().int(),
  /** `backend`: a secrets:// reference; `file`: plaintext in webhooks.yaml (move it with PATCH {secret}). */
  secret_stored: z.enum(['backend', 'file']).nullable(),
  last_delivery: z.object({ received_at: isoTime, status: z.number().int(), run_id: z.string().nullable() }).nullable(),
  accepted_24h: z.number().int(),
  refused_24h: z.number().int(),
});
export type WebhookView = z.infer<typeof webhookView>;

export const deliveryView = z.object({
  received_at: isoTime,
  status: z.number().int(),
  delivery_id: z.string().nullable(),
  run_id: z.string().nullable(),
  error: z.string().nullable(),
  ip: z.string().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryView>;

const fields = {
  name: z.string().min(1).max(200),
  endpoint,
  template: z.string().min(1),
  /** Write-only: a plaintext secret is stored in the secrets backend; a `secrets://` reference is kept as is. */
  secret: z.string().min(1).max(4096),
  signature: z.enum(SIGNATURE_SCHEMES),
  allowed_ips: z.array(z.string().max(100)).max(1000),
  extract_variables: z.array(z.string().min(1).max(200)).max(100),
  queue: z.string().min(1),
  priority: z.number().int().min(1).max(9),
  enabled: z.boolean(),
  variables: z.record(z.string(), z.unknown()),
  max_body_kb: z.number().int().min(1).max(10_240),
};

export const webhooksContract = {
  'webhooks.receive': defineProcedure({
    name: 'webhooks.receive',
    summary: "A webhook delivery: checked by the webhook's IP list, size limit and signature, then queued (202 {run_id})",
    access: 'public',
    kind: 'mutation',
    input: z.looseObject({
      path: z.string().min(1).max(1000),
      request: z.object({ headers: z.record(z.string(), z.unknown()), ip: z.string(), raw_body: z.string() }),
    }),
    output: z.object({ run_id: z.string() }),
    http: { method: 'POST', path: '/webhooks/{path}', status: 202, includeRequest: true },
  }),
  'webhooks.list': defineProcedure({
    name: 'webhooks.list',
    summary: 'The webhooks of webhooks.yaml (secrets never shown) with their last delivery',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ items: z.array(webhookView) }),
    http: { method: 'GET', path: '/api/webhooks' },
  }),
  'webhooks.create': defineProcedure({
    name: 'webhooks.create',
    summary: 'Add a webhook (written to webhooks.yaml; a plaintext secret goes to the secrets backend)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id, ...fields }).partial({ secret: true, signature: true, allowed_ips: true, extract_variables: true, queue: true, priority: true, enabled: true, variables: true, max_body_kb: true }),
    output: webhookView,
    http: { method: 'POST', path: '/api/webhooks', status: 201 },
  }),
  'webhooks.update': defineProcedure({
    name: 'webhooks.update',
    summary: 'Change a webhook, enable or disable it, set a new secret (written to webhooks.yaml)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id, ...fields }).partial().required({ id: true }),
    output: webhookView,
    http: { method: 'PATCH', path: '/api/webhooks/{id}' },
  }),
  'webhooks.delete': defineProcedure({
    name: 'webhooks.delete',
    summary: 'Remove a webhook from webhooks.yaml (and its stored secret)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id }),
    output: ok,
    http: { method: 'DELETE', path: '/api/webhooks/{id}' },
  }),
  'webhooks.deliveries': defineProcedure({
    name: 'webhooks.deliveries',
    summary: "A webhook's recent deliveries, newest first: answer code, time, run (no bodies)",
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id, limit: z.coerce.number().int().min(1).max(1000).default(50) }),
    output: z.object({ items: z.array(deliveryView) }),
    http: { method: 'GET', path: '/api/webhooks/{id}/deliveries' },
  }),
} as const;
