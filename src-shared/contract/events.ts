import { z } from 'zod';

/**
 * The typed event map: every event the core publishes on its bus, the SSE stream
 * (`GET /api/events`) and the IPC event channel. Names are `<entity>.<pastTense>`.
 * Payloads are masked before they are published.
 */
const runRef = { runId: z.string(), template: z.string().optional(), queue: z.string().optional() };

export const EVENT_SCHEMAS = {
  'run.queued': z.looseObject({ ...runRef, priority: z.number().int().optional() }),
  'run.started': z.looseObject({ ...runRef, attempt: z.number().int().optional() }),
  'run.finished': z.looseObject({ ...runRef, status: z.string(), error: z.string().nullable().optional() }),
  'run.retrying': z.looseObject({ ...runRef, attempt: z.number().int(), dueAt: z.string() }),
  'run.interrupted': z.looseObject({ ...runRef, reason: z.string() }),
  'run.paused': z.looseObject(runRef),
  'run.resumed': z.looseObject(runRef),
  'run.cancelled': z.looseObject(runRef),
  'run.updated': z.looseObject({ ...runRef, status: z.string() }),
  'step.started': z.looseObject({ runId: z.string(), index: z.number().int(), action: z.string() }),
  'step.finished': z.looseObject({ runId: z.string(), index: z.number().int(), action: z.string(), status: z.string() }),
  'approval.requested': z.looseObject({ approvalId: z.string(), runId: z.string() }),
  'approval.decided': z.looseObject({ approvalId: z.string(), runId: z.string(), decision: z.string() }),
  'queue.paused': z.looseObject({ queue: z.string() }),
  'queue.resumed': z.looseObject({ queue: z.string() }),
  'schedule.fired': z.looseObject({ scheduleId: z.string(), runId: z.string().optional(), scheduledTime: z.string().optional(), outcome: z.string().optional() }),
  'schedule.missed': z.looseObject({ scheduleId: z.string(), scheduledTime: z.string().optional(), count: z.number().int().optional() }),
  'webhook.received': z.looseObject({ webhookId: z.string(), status: z.number().int(), runId: z.string().optional() }),
  'watcher.event': z.looseObject({ watcherId: z.string(), event: z.string(), file: z.string(), runId: z.string().optional(), outcome: z.string() }),
  'watcher.changed': z.looseObject({ watcherId: z.string(), state: z.string(), problem: z.string().nullable() }),
  'trigger.fired': z.looseObject({ trigger: z.string(), runId: z.string().optional() }),
  'config.reloaded': z.looseObject({ file: z.string() }),
  'config.rejected': z.looseObject({ file: z.string(), errors: z.array(z.string()) }),
  'template.changed': z.looseObject({ name: z.string() }),
  'cluster.updated': z.looseObject({ clusterId: z.string(), runId: z.string().optional(), reopened: z.boolean().optional(), resolved: z.boolean().optional() }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

export interface AgentEvent<T extends EventType = EventType> {
  /** Monotonic per process; SSE clients resume with Last-Event-ID. */
  seq: number;
  type: T;
  at: string;
  data: EventData<T>;
}

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];
