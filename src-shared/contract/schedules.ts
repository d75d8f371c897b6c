import { z } from 'zod';
import { scheduleSchema } from '../config/triggers';
import { defineProcedure, isoTime, ok } from './procedure';

const id = z.string().min(1).max(100);

export const SCHEDULE_OUTCOMES = ['fired', 'caught_up', 'missed', 'skipped', 'waiting', 'failed'] as const;

/** A schedule as the API and the Triggers view show it: the file's fields and what the scheduler knows. */
export const scheduleView = z.object({
  id: z.string(),
  name: z.string(),
  cron: z.string(),
  template: z.string(),
  queue: z.string(),
  priority: z.number().int(),
  enabled: z.boolean(),
  variables: z.record(z.string(), z.unknown()),
  /** As written in the file; absent means the machine's zone (`zone`). */
  timezone: z.string().optional(),
  catch_up: z.enum(['skip', 'once', 'all']),
  overlap: z.enum(['skip', 'queue', 'allow']),
  /** The zone the cron is read in. */
  zone: z.string(),
  /** The next time it fires (persisted; null when disabled or invalid). */
  next_fire_at: isoTime.nullable(),
  /** Why the scheduler does not run it (a bad cron or zone), if so. */
  problem: z.string().nullable(),
  last: z.object({ scheduled_at: isoTime, outcome: z.enum(SCHEDULE_OUTCOMES), run_id: z.string().nullable() }).nullable(),
  fired_24h: z.number().int(),
  missed_24h: z.number().int(),
  failed_24h: z.number().int(),
});
export type ScheduleView = z.infer<typeof scheduleView>;

export const scheduleFireView = z.object({
  scheduled_at: isoTime,
  outcome: z.enum(SCHEDULE_OUTCOMES),
  handled_at: isoTime,
  run_id: z.string().nullable(),
  error: z.string().nullable(),
  /** A long run of missed times folded into one entry: how many, and the last one. */
  count: z.number().int(),
  until: isoTime.nullable(),
});
export type ScheduleFireView = z.infer<typeof scheduleFireView>;

/** PATCH: any of the file's fields; `timezone: null` goes back to the machine's zone. */
const schedulePatch = z.strictObject({
  id,
  name: z.string().min(1).max(200).optional(),
  cron: z.string().min(1).max(200).optional(),
  template: z.string().min(1).optional(),
  queue: z.string().min(1).optional(),
  priority: z.number().int().min(1).max(9).optional(),
  enabled: z.boolean().optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
  timezone: z.string().min(1).nullable().optional(),
  catch_up: z.enum(['skip', 'once', 'all']).optional(),
  overlap: z.enum(['skip', 'queue', 'allow']).optional(),
});
export type SchedulePatch = z.infer<typeof schedulePatch>;

export const schedulesContract = {
  'schedules.list': defineProcedure({
    name: 'schedules.list',
    summary: 'The schedules of schedules.yaml with their next time, last fire and 24-hour counts',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ items: z.array(scheduleView) }),
    http: { method: 'GET', path: '/api/schedules' },
  }),
  'schedules.create': defineProcedure({
    name: 'schedules.create',
    summary: 'Add a schedule (written to schedules.yaml, comments kept)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: scheduleSchema,
    output: scheduleView,
    http: { method: 'POST', path: '/api/schedules', status: 201 },
  }),
  'schedules.update': defineProcedure({
    name: 'schedules.update',
    summary: 'Change a schedule, enable or disable it (written to schedules.yaml)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: schedulePatch,
    output: scheduleView,
    http: { method: 'PATCH', path: '/api/schedules/{id}' },
  }),
  'schedules.delete': defineProcedure({
    name: 'schedules.delete',
    summary: 'Remove a schedule from schedules.yaml',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id }),
    output: ok,
    http: { method: 'DELETE', path: '/api/schedules/{id}' },
  }),
  'schedules.next': defineProcedure({
    name: 'schedules.next',
    summary: 'Exactly the times the schedule will fire next (empty while disabled)',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id, count: z.coerce.number().int().min(1).max(100).default(10) }),
    output: z.object({ id: z.string(), zone: z.string(), items: z.array(isoTime) }),
    http: { method: 'GET', path: '/api/schedules/{id}/next' },
  }),
  'schedules.history': defineProcedure({
    name: 'schedules.history',
    summary: "A schedule's fires, newest first: on time, caught up, missed, skipped, failed",
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id, limit: z.coerce.number().int().min(1).max(1000).default(50) }),
    output: z.object({ items: z.array(scheduleFireView) }),
    http: { method: 'GET', path: '/api/schedules/{id}/history' },
  }),
} as const;
