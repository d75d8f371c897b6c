import { z } from 'zod';
import { defineProcedure, empty, rawResponse } from './procedure';

export const systemContract = {
  'system.health': defineProcedure({
    name: 'system.health',
    summary: 'Liveness: answers while the core is up',
    access: 'public',
    kind: 'query',
    input: empty,
    output: z.object({ status: z.literal('ok'), version: z.string() }),
    http: { method: 'GET', path: '/healthz' },
  }),
  'system.status': defineProcedure({
    name: 'system.status',
    summary: 'Version, data and config locations, and configuration problems',
    access: 'read_dashboard',
    kind: 'query',
    input: empty,
    output: z.object({
      version: z.string(),
      data_dir: z.string(),
      config_dir: z.string(),
      started_at: z.string(),
      config_problems: z.array(z.object({ file: z.string(), line: z.number(), column: z.number(), path: z.string(), message: z.string() })),
      /** Hosts that run the loopback API beside a window (the desktop app): its address, or why it did not start. */
      api: z.object({ url: z.string().nullable(), error: z.string().nullable() }).optional(),
    }),
    http: { method: 'GET', path: '/api/system/status' },
  }),
  'system.openapi': defineProcedure({
    name: 'system.openapi',
    summary: 'The OpenAPI description of this API',
    access: 'authenticated',
    kind: 'query',
    input: empty,
    output: rawResponse,
    http: { method: 'GET', path: '/openapi.json', raw: true },
  }),
  'system.docs': defineProcedure({
    name: 'system.docs',
    summary: 'Human-readable API documentation',
    access: 'authenticated',
    kind: 'query',
    input: empty,
    output: rawResponse,
    http: { method: 'GET', path: '/docs', raw: true },
  }),
  'events.subscribe': defineProcedure({
    name: 'events.subscribe',
    summary: 'Server-Sent Events: run, step, approval, queue and trigger events',
    access: 'read_runs',
    kind: 'query',
    input: z.object({ types: z.string().optional() }),
    output: z.object({}),
    http: { method: 'GET', path: '/api/events', stream: true },
  }),
} as const;
