import { z } from 'zod';

/** schedules.yaml, watchers.yaml, webhooks.yaml (SPEC sections 2 and 6). */

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'ids use letters, digits, _, . and -');
const variables = z.record(z.string(), z.unknown()).default({});
const priority = z.number().int().min(1).max(9).default(5);

export const scheduleSchema = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  cron: z.string().min(1).max(200),
  template: z.string().min(1),
  queue: z.string().default('default'),
  priority,
  enabled: z.boolean().default(true),
  variables,
  timezone: z.string().optional(),
  catch_up: z.enum(['skip', 'once', 'all']).default('once'),
  overlap: z.enum(['skip', 'queue', 'allow']).default('skip'),
});
export type ScheduleConfig = z.infer<typeof scheduleSchema>;

export const schedulesFileSchema = z.strictObject({ schedules: z.array(scheduleSchema).nullable().default([]).transform((v) => v ?? []) });

export const WATCH_EVENTS = ['created', 'modified', 'deleted', 'moved'] as const;

export const watchSchema = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  watch_path: z.string().min(1),
  template: z.string().min(1),
  patterns: z.array(z.string()).default(['*']),
  ignore_patterns: z.array(z.string()).default([]),
  events: z.array(z.enum(WATCH_EVENTS)).min(1).default(['created']),
  debounce_ms: z.number().int().min(0).max(3_600_000).default(1000),
  recursive: z.boolean().default(false),
  queue: z.string().default('default'),
  priority,
  enabled: z.boolean().default(true),
  variables,
  /** auto: poll on a network drive (or when the OS cannot watch more), else OS events. */
  polling: z.enum(['auto', 'always', 'never']).default('auto'),
  poll_interval_ms: z.number().int().min(100).max(600_000).default(2000),
  /** Files already in the folder when the watcher first sees it: handled too (true) or taken as the baseline (false). */
  process_existing: z.boolean().default(false),
});
export type WatchConfig = z.infer<typeof watchSchema>;

export const watchersFileSchema = z.strictObject({ watchers: z.array(watchSchema).nullable().default([]).transform((v) => v ?? []) });

export const SIGNATURE_SCHEMES = ['github', 'stripe', 'standard', 'none'] as const;

/** Where a webhook answers (the Triggers view checks it as it is typed). */
export const WEBHOOK_ENDPOINT = /^\/webhooks\/[A-Za-z0-9_./-]{1,200}$/;
export const WEBHOOK_ENDPOINT_HINT = 'an endpoint looks like /webhooks/deploy';

export const webhookSchema = z
  .strictObject({
    id,
    name: z.string().min(1).max(200),
    endpoint: z.string().regex(WEBHOOK_ENDPOINT, WEBHOOK_ENDPOINT_HINT),
    template: z.string().min(1),
    secret: z.string().min(1).optional(),
    allowed_ips: z.array(z.string()).default([]),
    extract_variables: z.array(z.string()).default([]),
    queue: z.string().default('default'),
    priority,
    enabled: z.boolean().default(true),
    variables,
    signature: z.enum(SIGNATURE_SCHEMES).default('github'),
    max_body_kb: z.number().int().min(1).max(10_240).default(256),
  })
  .superRefine((w, ctx) => {
    if (w.signature !== 'none' && !w.secret) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: `a webhook without a secret must say signature: none (signature is '${w.signature}')` });
    }
  });
export type WebhookConfig = z.infer<typeof webhookSchema>;

export const webhooksFileSchema = z.strictObject({ webhooks: z.array(webhookSchema).nullable().default([]).transform((v) => v ?? []) });
