import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineProcedure } from '@shared/contract/procedure';
import { MemorySink, createLogger } from '../kernel/logger';
import { Redactor } from '../security/redaction';
import type { AuditInput } from '../security/audit/audit-log';
import { createDispatcher } from './dispatcher';
import { ANONYMOUS, type CallContext } from '../kernel/principal';

const procedures = [
  defineProcedure({
    name: 'things.create',
    summary: 'make a thing',
    access: 'manage_templates',
    kind: 'mutation',
    input: z.strictObject({ name: z.string().min(1), count: z.number().int() }),
    output: z.object({ id: z.string(), echo: z.string() }),
    http: { method: 'POST', path: '/api/things' },
  }),
  defineProcedure({
    name: 'things.own',
    summary: 'own thing',
    access: 'manage_users',
    selfField: 'id',
    kind: 'query',
    input: z.object({ id: z.string() }),
    output: z.object({ ok: z.boolean() }),
    http: { method: 'GET', path: '/api/things/{id}' },
  }),
  defineProcedure({
    name: 'things.health',
    summary: 'public',
    access: 'public',
    kind: 'query',
    input: z.object({}),
    output: z.object({ up: z.boolean() }),
    http: { method: 'GET', path: '/things/health' },
  }),
  defineProcedure({
    name: 'things.metrics',
    summary: 'public when configured',
    access: 'read_metrics',
    publicWhen: 'public_metrics',
    kind: 'query',
    input: z.object({}),
    output: z.object({ n: z.number() }),
    http: { method: 'GET', path: '/things/metrics' },
  }),
];

function setup(handlers: Record<string, (input: never, ctx: CallContext) => unknown> = {}, publicMetrics = false) {
  const audit: AuditInput[] = [];
  const sink = new MemorySink();
  const redactor = new Redactor();
  const d = createDispatcher({
    procedures,
    handlers: {
      'things.create': (i: { name: string }) => ({ id: 't1', echo: i.name }),
      'things.own': () => ({ ok: true }),
      'things.health': () => ({ up: true }),
      'things.metrics': () => ({ n: 1 }),
      ...handlers,
    },
    audit: { record: (e) => audit.push(e) },
    logger: createLogger({ sinks: [sink] }, 'API'),
    redactor,
    isPublic: () => publicMetrics,
    validateOutputs: true,
  });
  return { d, audit, sink, redactor };
}

const user = (role: 'Viewer' | 'Editor' | 'Admin', id = 'u1'): CallContext => ({
  principal: { kind: 'user', id, username: `${role.toLowerCase()}-${id}`, role, via: 'session' },
  source: '127.0.0.1',
});

describe('dispatcher', () => {
  it('runs an allowed call and audits it with who, what, resource and source', async () => {
    const { d, audit } = setup();
    const r = await d.dispatch('things.create', { name: 'n1', count: 2 }, user('Editor'));
    expect(r).toEqual({ ok: true, data: { id: 't1', echo: 'n1' } });
    expect(audit).toEqual([
      expect.objectContaining({ user: 'editor-u1', action: 'things.create', permission: 'manage_templates', resource: 'n1', result: 'ok', source: '127.0.0.1' }),
    ]);
  });

  it('answers an unknown procedure with a structured error', async () => {
    const { d } = setup();
    const r = await d.dispatch('nope.nothing', {}, user('Admin'));
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNKNOWN_PROCEDURE', message: "Unknown procedure 'nope.nothing'" }) });
  });

  it('lists every problem of a malformed input', async () => {
    const { d } = setup();
    const r = await d.dispatch('things.create', { name: '', count: 'x', extra: 1 }, user('Editor'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION_ERROR');
    const issues = (r.error.details as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(issues).toEqual(['(root)', 'count', 'name']);
  });

  it('refuses anonymous callers with 401 before looking at their input', async () => {
    const { d, audit } = setup();
    const r = await d.dispatch('things.create', 'garbage', { principal: ANONYMOUS, source: '127.0.0.1' });
    expect(r.ok === false && r.error.code).toBe('UNAUTHENTICATED');
    expect(audit[0]).toMatchObject({ result: 'denied', user: null });
  });

  it('names the missing permission on 403 and audits the denial', async () => {
    const { d, audit } = setup();
    const r = await d.dispatch('things.create', { name: 'n', count: 1 }, user('Viewer'));
    expect(r).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: "Permission 'manage_templates' required; your role Viewer does not have it", details: { permission: 'manage_templates', role: 'Viewer' } },
    });
    expect(audit[0]).toMatchObject({ result: 'denied', permission: 'manage_templates' });
  });

  it('lets a user act on their own resource when the procedure allows it', async () => {
    const { d } = setup();
    expect((await d.dispatch('things.own', { id: 'u1' }, user('Viewer', 'u1'))).ok).toBe(true);
    expect((await d.dispatch('things.own', { id: 'viewer-u1' }, user('Viewer', 'u1'))).ok).toBe(true);
    expect((await d.dispatch('things.own', { id: 'u2' }, user('Viewer', 'u1'))).ok).toBe(false);
  });

  it('refuses a signed-in caller without the permission before looking at the input, and audits it', async () => {
    const { d, audit } = setup();
    const r = await d.dispatch('things.create', { name: 42, extra: true }, user('Viewer'));
    expect(r.ok === false && r.error.code).toBe('FORBIDDEN');
    expect(audit).toEqual([expect.objectContaining({ action: 'things.create', permission: 'manage_templates', result: 'denied', user: 'viewer-u1' })]);
  });

  it('audits an allowed call with invalid input as an error', async () => {
    const { d, audit } = setup();
    await d.dispatch('things.create', { name: '' }, user('Editor'));
    expect(audit).toEqual([expect.objectContaining({ result: 'error', details: { code: 'VALIDATION_ERROR' } })]);
  });

  it("adds what a handler notes to the call's audit entry, for that call only", async () => {
    const { d, audit } = setup({
      'things.create': (i: { name: string }, ctx: CallContext) => {
        ctx.noteAudit?.({ renamed: { from: 'old', to: i.name } });
        return { id: 't1', echo: i.name };
      },
    });
    const ctx = user('Editor');
    await d.dispatch('things.create', { name: 'n1', count: 1 }, ctx);
    await d.dispatch('things.own', { id: 'x' }, user('Admin'));
    expect(audit[0]).toMatchObject({ result: 'ok', details: { renamed: { from: 'old', to: 'n1' } } });
    expect(audit[1]!.details).toBeUndefined();
    expect(ctx.noteAudit).toBeUndefined();
  });

  it('serves public procedures to anyone, and public-when-configured ones only when the switch is on', async () => {
    const anon = { principal: ANONYMOUS, source: '127.0.0.1' };
    expect((await setup().d.dispatch('things.health', {}, anon)).ok).toBe(true);
    expect((await setup({}, false).d.dispatch('things.metrics', {}, anon)).ok).toBe(false);
    expect((await setup({}, true).d.dispatch('things.metrics', {}, anon)).ok).toBe(true);
  });

  it('turns a handler crash into an INTERNAL envelope, logs it and never throws', async () => {
    const { d, sink, audit } = setup({
      'things.create': () => {
        throw new Error('disk on fire');
      },
    });
    const r = await d.dispatch('things.create', { name: 'n', count: 1 }, user('Admin'));
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL', details: { errorId: expect.stringMatching(/^[0-9a-f]{8}$/) } } });
    // The raw exception text stays in the log, found by the id the caller got; never in the answer.
    const id = (r as { error: { details: { errorId: string } } }).error.details.errorId;
    expect(JSON.stringify(r)).not.toContain('disk on fire');
    expect((r as { error: { message: string } }).error.message).toBe(`Internal error in things.create (error id ${id}; the log has the details)`);
    const line = sink.records().find((l) => l.level === 'error');
    expect(line).toMatchObject({ errorId: id });
    expect(JSON.stringify(line)).toContain('disk on fire');
    expect(audit[0]).toMatchObject({ result: 'error' });
  });

  it('refuses an output that drifts from the contract', async () => {
    const { d } = setup({ 'things.create': () => ({ id: 5 }) });
    const r = await d.dispatch('things.create', { name: 'n', count: 1 }, user('Admin'));
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('masks registered secrets in answers and errors', async () => {
    const { d, redactor } = setup({
      'things.create': (i: { name: string }) => {
        throw new Error(`token ${i.name} rejected`);
      },
    });
    redactor.register('sekrit-123');
    const r = await d.dispatch('things.create', { name: 'sekrit-123', count: 1 }, user('Admin'));
    expect(JSON.stringify(r)).not.toContain('sekrit-123');
  });

  it('refuses to start when a procedure has no handler', () => {
    expect(() =>
      createDispatcher({
        procedures,
        handlers: {},
        audit: { record: () => {} },
        logger: createLogger({ sinks: [] }),
        redactor: new Redactor(),
      }),
    ).toThrow(/No handler for procedures: things.create/);
  });
});
