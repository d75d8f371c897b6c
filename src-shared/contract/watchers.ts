import { z } from 'zod';
import { WATCH_EVENTS } from '../config/triggers';
import { defineProcedure, isoTime, ok } from './procedure';

const id = z.string().min(1).max(100);

export const WATCHER_STATES = ['starting', 'watching', 'waiting_for_path', 'error', 'stopped', 'disabled'] as const;

/** A folder watcher as the API and the Triggers view show it: the file's fields and what the watcher knows. */
export const watcherView = z.object({
  id: z.string(),
  name: z.string(),
  watch_path: z.string(),
  template: z.string(),
  patterns: z.array(z.string()),
  ignore_patterns: z.array(z.string()),
  events: z.array(z.enum(WATCH_EVENTS)),
  debounce_ms: z.number().int(),
  recursive: z.boolean(),
  queue: z.string(),
  priority: z.number().int(),
  enabled: z.boolean(),
  variables: z.record(z.string(), z.unknown()),
  polling: z.enum(['auto', 'always', 'never']),
  poll_interval_ms: z.number().int(),
  process_existing: z.boolean(),
  /** The folder watched (~ expanded, absolute). */
  root: z.string(),
  state: z.enum(WATCHER_STATES),
  /** Why it is polled instead of watched by OS events, if it is. */
  polling_reason: z.string().nullable(),
  /** What is wrong now (a missing folder, a full queue, a refused pattern, a watch error). */
  problem: z.string().nullable(),
  /** Files seen but not handed over yet (still being written, or waiting for room in the queue). */
  pending: z.number().int(),
  last_event: z.object({ at: isoTime, event: z.enum(WATCH_EVENTS), path: z.string(), outcome: z.enum(['queued', 'failed']), run_id: z.string().nullable() }).nullable(),
  queued_24h: z.number().int(),
  failed_24h: z.number().int(),
});
export type WatcherView = z.infer<typeof watcherView>;

export const watcherEventView = z.object({
  at: isoTime,
  event: z.enum(WATCH_EVENTS),
  path: z.string(),
  /** Where a moved file was before. */
  from_path: z.string().nullable(),
  outcome: z.enum(['queued', 'failed']),
  run_id: z.string().nullable(),
  error: z.string().nullable(),
});
export type WatcherEventView = z.infer<typeof watcherEventView>;

const fields = {
  name: z.string().min(1).max(200),
  watch_path: z.string().min(1).max(4096),
  template: z.string().min(1),
  patterns: z.array(z.string().max(300)).max(100),
  ignore_patterns: z.array(z.string().max(300)).max(100),
  events: z.array(z.enum(WATCH_EVENTS)).min(1),
  debounce_ms: z.number().int().min(0).max(3_600_000),
  recursive: z.boolean(),
  queue: z.string().min(1),
  priority: z.number().int().min(1).max(9),
  enabled: z.boolean(),
  variables: z.record(z.string(), z.unknown()),
  polling: z.enum(['auto', 'always', 'never']),
  poll_interval_ms: z.number().int().min(100).max(600_000),
  process_existing: z.boolean(),
};

export const watchersContract = {
  'watchers.list': defineProcedure({
    name: 'watchers.list',
    summary: 'The folder watchers of watchers.yaml with their state, problems and last event',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ items: z.array(watcherView) }),
    http: { method: 'GET', path: '/api/watchers' },
  }),
  'watchers.create': defineProcedure({
    name: 'watchers.create',
    summary: 'Add a folder watcher (written to watchers.yaml, comments kept)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id, ...fields }).partial({ patterns: true, ignore_patterns: true, events: true, debounce_ms: true, recursive: true, queue: true, priority: true, enabled: true, variables: true, polling: true, poll_interval_ms: true, process_existing: true }),
    output: watcherView,
    http: { method: 'POST', path: '/api/watchers', status: 201 },
  }),
  'watchers.update': defineProcedure({
    name: 'watchers.update',
    summary: 'Change a folder watcher, enable or disable it (written to watchers.yaml)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id, ...fields }).partial().required({ id: true }),
    output: watcherView,
    http: { method: 'PATCH', path: '/api/watchers/{id}' },
  }),
  'watchers.delete': defineProcedure({
    name: 'watchers.delete',
    summary: 'Remove a folder watcher from watchers.yaml (and its ledger)',
    access: 'manage_schedules',
    kind: 'mutation',
    input: z.strictObject({ id }),
    output: ok,
    http: { method: 'DELETE', path: '/api/watchers/{id}' },
  }),
  'watchers.events': defineProcedure({
    name: 'watchers.events',
    summary: "A watcher's recent events, newest first: file, event, run or error",
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id, limit: z.coerce.number().int().min(1).max(1000).default(50) }),
    output: z.object({ items: z.array(watcherEventView) }),
    http: { method: 'GET', path: '/api/watchers/{id}/events' },
  }),
} as const;
