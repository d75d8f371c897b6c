import { z } from 'zod';
import { RUN_STATUSES, STEP_STATUSES } from '../domain/runs';
import { defineProcedure, rawResponse } from './procedure';

const runId = z.string().min(1).max(100);
const iso = z.string().nullable();

export const stepView = z.object({
  index: z.number().int(),
  id: z.string().nullable(),
  action: z.string(),
  status: z.enum(STEP_STATUSES),
  params: z.unknown(),
  result: z.unknown(),
  error: z.string().nullable(),
  error_code: z.string().nullable().optional(),
  started_at: iso,
  finished_at: iso,
  duration_ms: z.number().nullable(),
  artifacts: z.array(z.object({ name: z.string(), contentType: z.string(), bytes: z.number(), kind: z.string() }).loose()),
});

export const attemptView = z.object({
  attempt: z.number().int(),
  started_at: iso,
  finished_at: iso,
  status: z.string(),
  error: z.string().nullable(),
  error_code: z.string().nullable().optional(),
});

/** A run as every client sees it (SPEC section 12: these names are fixed). */
export const runView = z.object({
  id: z.string(),
  template: z.string(),
  template_hash: z.string(),
  status: z.enum(RUN_STATUSES),
  queue: z.string(),
  priority: z.number().int(),
  trigger: z.string(),
  requested_by: z.string().nullable(),
  attempts: z.number().int(),
  attempt_history: z.array(attemptView),
  variables: z.record(z.string(), z.unknown()),
  dry_run: z.boolean(),
  concurrency_tag: z.string().nullable(),
  created_at: z.string(),
  started_at: iso,
  finished_at: iso,
  available_at: iso,
  error: z.string().nullable(),
  error_code: z.string().nullable(),
  retry_of: z.string().nullable(),
  steps: z.array(stepView),
});
export type RunView = z.infer<typeof runView>;

// One message for every wrong value ("high", 2.5, 0, 10): what is expected, not "received NaN".
const PRIORITY_EXPECTED = 'expected a whole number from 1 (highest) to 9 (lowest), e.g. 5';
const priority = z.coerce.number({ error: PRIORITY_EXPECTED }).int(PRIORITY_EXPECTED).min(1, PRIORITY_EXPECTED).max(9, PRIORITY_EXPECTED);

export const enqueueInput = z
  .strictObject({
    template: z.string().min(1).max(500).optional(),
    template_yaml: z.string().min(1).max(1_000_000).optional(),
    variables: z.record(z.string(), z.unknown()).default({}),
    queue: z.string().min(1).max(64).optional(),
    priority: priority.optional(),
    dry_run: z.boolean().default(false),
    idempotency_key: z.string().min(1).max(200).optional(),
  })
  .refine((r) => Boolean(r.template) !== Boolean(r.template_yaml), { message: 'give either template (a name) or template_yaml (the YAML text), not both', path: ['template'] });
export type EnqueueInput = z.input<typeof enqueueInput>;

const enqueued = z.object({ run_id: z.string(), status: z.enum(RUN_STATUSES), queue: z.string(), priority: z.number().int(), duplicate: z.boolean() });

const queueView = z.object({
  name: z.string(),
  depth: z.number().int(),
  running: z.number().int(),
  paused: z.boolean(),
  max_concurrent: z.number().int(),
  max_queued: z.number().int(),
});

const runAction = (verb: 'pause' | 'resume' | 'cancel', access: 'pause_runs' | 'stop_runs', summary: string) =>
  defineProcedure({
    name: `runs.${verb}`,
    summary,
    access,
    kind: 'mutation',
    input: z.strictObject({ id: runId }),
    output: z.object({ id: z.string(), status: z.enum(RUN_STATUSES) }),
    http: { method: 'POST', path: `/api/runs/{id}/${verb}` },
  });

export const runsContract = {
  'runs.enqueue': defineProcedure({
    name: 'runs.enqueue',
    summary: 'Queue a run of a template (committed to disk before the answer)',
    access: 'create_runs',
    kind: 'mutation',
    input: enqueueInput,
    output: enqueued,
    http: { method: 'POST', path: '/api/runs', status: 201 },
    accessWhen: [{ field: 'template_yaml', access: 'manage_templates', why: 'to run unsaved YAML (template_yaml); run a stored template instead' }],
  }),
  'runs.enqueueBatch': defineProcedure({
    name: 'runs.enqueueBatch',
    summary: 'Queue many runs in one transaction (all or none)',
    access: 'create_runs',
    kind: 'mutation',
    input: z.strictObject({ runs: z.array(enqueueInput).min(1).max(10_000) }),
    accessWhen: [{ field: 'runs[].template_yaml', access: 'manage_templates', why: 'to run unsaved YAML (template_yaml); run a stored template instead' }],
    output: z.object({ items: z.array(enqueued) }),
    http: { method: 'POST', path: '/api/runs/batch', status: 201 },
  }),
  'runs.list': defineProcedure({
    name: 'runs.list',
    summary: 'Runs, newest first, with filters and a cursor',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({
      status: z.enum(RUN_STATUSES).optional(),
      queue: z.string().optional(),
      template: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      cursor: z.string().max(200).optional(),
    }),
    output: z.object({ items: z.array(runView.omit({ steps: true })), next_cursor: z.string().nullable() }),
    http: { method: 'GET', path: '/api/runs' },
  }),
  'runs.get': defineProcedure({
    name: 'runs.get',
    summary: 'One run with its steps and attempt history',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id: runId }),
    output: runView,
    http: { method: 'GET', path: '/api/runs/{id}' },
  }),
  'runs.artifact': defineProcedure({
    name: 'runs.artifact',
    summary: "A file a run produced (screenshot, download, mail draft)",
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({ id: runId, name: z.string().min(1).max(300) }),
    output: rawResponse,
    http: { method: 'GET', path: '/api/runs/{id}/artifacts/{name}', raw: true },
  }),
  'runs.pause': runAction('pause', 'pause_runs', 'Pause a run: a waiting run is held; a running one stops at the next safe point'),
  'runs.resume': runAction('resume', 'pause_runs', 'Resume a paused run (it continues from the step where it stopped)'),
  'runs.cancel': runAction('cancel', 'stop_runs', 'Cancel a run; a running one stops at the next safe point and its browser and child processes are closed'),
  'runs.retry': defineProcedure({
    name: 'runs.retry',
    summary: 'Run a finished run again (a new run with the same template content and variables)',
    access: 'create_runs',
    kind: 'mutation',
    input: z.strictObject({ id: runId }),
    output: enqueued,
    http: { method: 'POST', path: '/api/runs/{id}/retry', status: 201 },
  }),
  'runs.delete': defineProcedure({
    name: 'runs.delete',
    summary: 'Delete a finished run, its steps and artifacts',
    access: 'delete_runs',
    kind: 'mutation',
    input: z.strictObject({ id: runId }),
    output: z.object({ deleted: z.boolean() }),
    http: { method: 'DELETE', path: '/api/runs/{id}' },
  }),
  'queues.list': defineProcedure({
    name: 'queues.list',
    summary: 'Queues with depth (queued + retry_wait), running and paused',
    access: 'read_runs',
    kind: 'query',
    input: z.strictObject({}),
    output: z.object({ items: z.array(queueView) }),
    http: { method: 'GET', path: '/api/queues' },
  }),
  'queues.pause': defineProcedure({
    name: 'queues.pause',
    summary: 'Pause a queue: it starts nothing new (running runs go on)',
    access: 'pause_queues',
    kind: 'mutation',
    input: z.strictObject({ name: z.string().min(1) }),
    output: queueView,
    http: { method: 'POST', path: '/api/queues/{name}/pause' },
  }),
  'queues.resume': defineProcedure({
    name: 'queues.resume',
    summary: 'Resume a paused queue',
    access: 'pause_queues',
    kind: 'mutation',
    input: z.strictObject({ name: z.string().min(1) }),
    output: queueView,
    http: { method: 'POST', path: '/api/queues/{name}/resume' },
  }),
} as const;
