import { z } from 'zod';

/**
 * The typed event map: every event the core publishes on its bus, the SSE stream
 * (`GET /api/events`) and the IPC event channel. Names are `<entity>.<pastTense>`.
 * Payloads are masked before they are published.
 */
const runRef = { runId: z.string(), template: z.string().optional(), queue: z.string().optional() };

export const EVENT_SCHEMAS = {
  'run.queued': z.object({ ...runRef, priority: z.number().int().optional() }),
  'run.started': z.object({ ...runRef, attempt: z.number().int().optional() }),
  'run.finished': z.object({ ...runRef, status: z.string(), error: z.string().nullable().optional() }),
  'run.retrying': z.object({ ...runRef, attempt: z.number().int(), dueAt: z.string(), error: z.string().nullable().optional() }),
  'run.interrupted': z.object({ ...runRef, reason: z.string() }),
  'run.paused': z.object(runRef),
  'run.resumed': z.object(runRef),
  'run.cancelled': z.object(runRef),
  'run.updated': z.object({ ...runRef, status: z.string() }),
  'step.started': z.object({ runId: z.string(), index: z.number().int(), action: z.string() }),
  'step.finished': z.object({ runId: z.string(), index: z.number().int(), action: z.string(), status: z.string() }),
  'approval.requested': z.object({
    approvalId: z.string(),
    runId: z.string(),
    template: z.string(),
    message: z.string(),
    risk_level: z.string(),
    expires_at: z.string().nullable(),
  }),
  'approval.decided': z.object({ approvalId: z.string(), runId: z.string(), decision: z.string(), by: z.string().nullable() }),
  'queue.paused': z.object({ queue: z.string(), by: z.string().nullable() }),
  'queue.resumed': z.object({ queue: z.string(), by: z.string().nullable() }),
  'schedule.fired': z.object({ scheduleId: z.string(), runId: z.string().optional(), scheduledTime: z.string().optional(), outcome: z.string().optional() }),
  'schedule.missed': z.object({ scheduleId: z.string(), scheduledTime: z.string().optional(), count: z.number().int().optional() }),
  'webhook.received': z.object({ webhookId: z.string(), status: z.number().int(), runId: z.string().optional() }),
  'watcher.event': z.object({ watcherId: z.string(), event: z.string(), file: z.string(), runId: z.string().optional(), outcome: z.string() }),
  'watcher.changed': z.object({ watcherId: z.string(), state: z.string(), problem: z.string().nullable() }),
  'config.reloaded': z.object({ file: z.string() }),
  'config.rejected': z.object({ file: z.string(), errors: z.array(z.string()) }),
  'template.changed': z.object({ name: z.string() }),
  'cluster.updated': z.object({ clusterId: z.string(), runId: z.string().optional(), reopened: z.boolean().optional(), resolved: z.boolean().optional() }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/**
 * One event. Without a type argument it is the union over every event name, discriminated by
 * `type`, so `if (e.type === 'run.finished')` narrows `e.data` without a cast.
 */
export type AgentEvent<T extends EventType = EventType> = T extends EventType
  ? {
      /** Monotonic per process; SSE clients resume with Last-Event-ID. */
      seq: number;
      type: T;
      at: string;
      data: EventData<T>;
    }
  : never;

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];
