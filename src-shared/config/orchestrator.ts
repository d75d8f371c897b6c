import { z } from 'zod';
import { SECRET_BACKENDS } from '../domain/secret-ref';
import { filesSchema } from './file-roots';
import { nodeSchema, storageSchema } from './fleet-settings';

/** configs/orchestrator.yaml (SPEC section 2). Unknown keys are errors. */

export const retryPolicySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(100),
  backoff_ms: z.number().int().min(0).max(86_400_000),
  backoff_multiplier: z.number().min(1).max(100),
  max_backoff_ms: z.number().int().min(0).max(7 * 86_400_000),
  jitter: z.number().min(0).max(1),
  /** Retry only runs whose failed step is idempotent (SPEC section 5). */
  only_idempotent: z.boolean(),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const queueSchema = z.strictObject({
  max_concurrent: z.number().int().min(1).max(1000),
  max_queued: z.number().int().min(1).max(10_000_000),
  priority_levels: z.number().int().min(1).max(9),
  retry_policy: retryPolicySchema.partial(),
  paused: z.boolean(),
});
export type QueueConfigInput = z.infer<typeof queueSchema>;
export type QueueConfig = Omit<QueueConfigInput, 'retry_policy'> & { retry_policy: RetryPolicy };

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const orchestratorSchema = z.strictObject({
  queues: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'queue names use letters, digits, _ and -'), queueSchema.partial()).default({}),
  concurrency_tags: z.record(z.string().min(1).max(64), z.number().int().min(1).max(1000)).default({}),
  global: z
    .strictObject({
      max_total_concurrent: z.number().int().min(1).max(1000).default(10),
      /** Aging: a waiting run counts one priority level higher for each aging_ms it has waited (never above 1). */
      aging_ms: z.number().int().min(1000).max(86_400_000).default(300_000),
    })
    .prefault({}),
  api: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(8000),
      public_metrics: z.boolean().default(true),
      max_body_kb: z.number().int().min(1).max(65_536).default(1024),
    })
    .prefault({}),
  hitl: z
    .strictObject({
      default_timeout_minutes: z.number().min(0.1).max(60 * 24 * 30).default(30),
      default_auto_action: z.enum(['deny', 'approve', 'fail']).default('deny'),
      self_approval: z.boolean().default(true),
    })
    .prefault({}),
  /** Pre-run risk check (SPEC section 9): templates with risky steps wait for approval before they start. */
  approval_policy: z
    .strictObject({
      enabled: z.boolean().default(false),
      min_risk_level: z.enum(RISK_LEVELS).default('high'),
      required_role: z.string().default('Editor'),
      timeout_minutes: z.number().min(0.1).default(30),
    })
    .prefault({}),
  retention: z
    .strictObject({
      runs_days: z.number().int().min(1).max(36_500).default(90),
      max_db_mb: z.number().int().min(16).max(1_048_576).default(2048),
      audit_days: z.number().int().min(1).max(36_500).default(365),
    })
    .prefault({}),
  /** SPEC section 8: the backends tried in order, and how long one OS keychain call may take. */
  secrets: z
    .strictObject({
      backends: z
        .array(z.enum(SECRET_BACKENDS))
        .min(1)
        .refine((list) => new Set(list).size === list.length, 'each backend may be listed once')
        .default(['keychain', 'env', 'file']),
      keychain_timeout_ms: z.number().int().min(100).max(120_000).default(3000),
    })
    .prefault({}),
  /** Where file actions may read and write (SPEC section 2): outside, they fail with PERMISSION_BLOCKED. */
  files: filesSchema,
  mail: z
    .strictObject({
      from: z.string().optional(),
      smtp: z
        .strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).default(587),
          secure: z.boolean().default(false),
          user: z.string().optional(),
          /** A secrets:// reference, never the password itself. */
          password_secret: z.string().optional(),
        })
        .optional(),
    })
    .prefault({}),
  web: z
    .strictObject({
      browser_path: z.string().optional(),
      channel: z.enum(['chrome', 'msedge', 'chromium']).optional(),
      headless: z.boolean().default(true),
      navigation_timeout_ms: z.number().int().min(100).default(30_000),
    })
    .prefault({}),
  /** SPEC section 16: where shared state lives (SQLite in the data dir, or the fleet's PostgreSQL). */
  storage: storageSchema,
  /** This machine as a fleet node: its name and the labels it adds to those it finds itself. */
  node: nodeSchema,
  logging: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      max_file_mb: z.number().min(0.01).max(1024).default(10),
      keep_files: z.number().int().min(1).max(100).default(5),
    })
    .prefault({}),
});
export type OrchestratorConfigInput = z.infer<typeof orchestratorSchema>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  max_attempts: 3,
  backoff_ms: 1000,
  backoff_multiplier: 1.5,
  max_backoff_ms: 300_000,
  jitter: 0.1,
  only_idempotent: true,
};

export const DEFAULT_QUEUE: QueueConfig = {
  max_concurrent: 3,
  max_queued: 1000,
  priority_levels: 9,
  retry_policy: DEFAULT_RETRY_POLICY,
  paused: false,
};

export interface OrchestratorConfig extends Omit<OrchestratorConfigInput, 'queues'> {
  /** Every queue with all fields filled: omitted fields take the `default` queue's values. */
  queues: Record<string, QueueConfig>;
}

export function resolveOrchestrator(input: OrchestratorConfigInput): OrchestratorConfig {
  const base = input.queues.default ?? {};
  const defaultQueue: QueueConfig = {
    ...DEFAULT_QUEUE,
    ...stripUndefined(base),
    retry_policy: { ...DEFAULT_RETRY_POLICY, ...stripUndefined(base.retry_policy ?? {}) },
  };
  const queues: Record<string, QueueConfig> = { default: defaultQueue };
  for (const [name, q] of Object.entries(input.queues)) {
    if (name === 'default') continue;
    queues[name] = {
      ...defaultQueue,
      ...stripUndefined(q),
      retry_policy: { ...defaultQueue.retry_policy, ...stripUndefined(q.retry_policy ?? {}) },
    };
  }
  return { ...input, queues };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
