import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@shared/contract/events';
import type { TemplateSummary } from '@shared/contract/templates';
import { startHttpServer, type RunningHttpServer } from '../api/http';
import { ACTION_FAMILIES, ActionRegistry } from '../engine/registry';
import { createTemplatesModule } from './templates-module';
import { asUser, tempCore, type TempCore } from '../../../test-support/temp-core';

let t: TempCore;
const editor = asUser('Editor', 'eddie');
beforeEach(async () => {
  t = await tempCore();
});
afterEach(async () => t.cleanup());

const call = <T>(name: Parameters<TempCore['core']['invoke']>[0], input: unknown, ctx = editor) => t.core.invoke<T>(name, input, ctx);
const failure = async (p: Promise<unknown>) => p.then(() => ({ code: 'none', message: '', details: undefined as unknown }), (e: { code: string; message: string; details?: unknown }) => e);
const TEMPLATE = (name: string, message = 'hi') => `dsl_version: "1.1"\nname: "${name}"\nsteps:\n  - log: { message: "${message}" }\n`;

describe('templates.* procedures', () => {
  it('lists the shipped templates copied into <config-dir>/templates on first start', async () => {
    const { items } = await call<{ items: TemplateSummary[] }>('templates.list', {}, asUser('Viewer'));
    expect(items.map((i) => [i.name, i.source, i.valid])).toEqual([
      ['csv_to_form', 'file', true],
      ['downloads_tidy', 'file', true],
      ['secure_api_call', 'file', true],
      ['weekly_report', 'file', true],
    ]);
    expect(items.find((i) => i.name === 'weekly_report')).toMatchObject({ title: 'Weekly report', path: join(t.core.paths.configDir, 'templates', 'weekly_report.yaml'), steps: 9, error_count: 0 });
  });

  it('saves, reads, replaces and deletes a template; every change is an event', async () => {
    const events: AgentEvent[] = [];
    t.core.bus.subscribe((e) => events.push(e));
    expect(await call('templates.save', { name: 'greeting.yaml', yaml: TEMPLATE('Greeting') })).toMatchObject({ name: 'greeting', created: true, warnings: [] });
    expect(await call('templates.get', { name: 'greeting' })).toMatchObject({ name: 'greeting', source: 'database', title: 'Greeting', yaml: TEMPLATE('Greeting'), updated_by: 'eddie', valid: true, errors: [] });
    expect(await call('templates.save', { name: 'greeting', yaml: TEMPLATE('Greeting', 'hello again') })).toMatchObject({ created: false });
    expect((await call<{ yaml: string }>('templates.get', { name: 'greeting.yaml' })).yaml).toContain('hello again');
    expect(await call('templates.delete', { name: 'greeting' })).toEqual({ deleted: true, name: 'greeting' });
    expect((await failure(call('templates.get', { name: 'greeting' }))).code).toBe('NOT_FOUND');
    expect(events.filter((e) => e.type === 'template.changed').map((e) => e.data)).toEqual([{ name: 'greeting' }, { name: 'greeting' }, { name: 'greeting' }]);
  });

  it('names a YAML body by its own name, refuses an invalid template with every problem, and keeps nothing of it', async () => {
    expect(await call('templates.save', { yaml: TEMPLATE('Weekly report 2') })).toMatchObject({ name: 'weekly_report_2', created: true });
    const bad = await failure(call('templates.save', { name: 'bad', yaml: 'dsl_version: "1.1"\nname: bad\nsteps:\n  - pdf_mrege: {}\n  - log: { message: "{{nope}}" }\n' }));
    expect(bad.code).toBe('VALIDATION_ERROR');
    expect((bad.details as { issues: unknown[] }).issues).toEqual([
      { path: 'steps[0].pdf_mrege', message: "unknown action 'pdf_mrege' (did you mean 'pdf_merge'?)", line: 4, column: 5 },
      expect.objectContaining({ path: 'steps[1].log.message', line: 5, column: 24 }),
    ]);
    expect((await failure(call('templates.get', { name: 'bad' }))).code).toBe('NOT_FOUND');
  });

  it('prefers a saved template over a file of the same name; deleting it brings the file back; a file can be deleted', async () => {
    await call('templates.save', { name: 'weekly_report', yaml: TEMPLATE('Mine') });
    expect(await call('templates.get', { name: 'weekly_report' })).toMatchObject({ source: 'database', title: 'Mine', shadows_file: true });
    const listed = (await call<{ items: TemplateSummary[] }>('templates.list', {})).items.filter((i) => i.name === 'weekly_report');
    expect(listed).toEqual([expect.objectContaining({ source: 'database', shadows_file: true })]);
    await call('templates.delete', { name: 'weekly_report' });
    expect(await call('templates.get', { name: 'weekly_report' })).toMatchObject({ source: 'file', title: 'Weekly report' });
    await call('templates.delete', { name: 'weekly_report' });
    expect(existsSync(join(t.core.paths.configDir, 'templates', 'weekly_report.yaml'))).toBe(false);
    expect((await failure(call('templates.delete', { name: 'weekly_report' }))).code).toBe('NOT_FOUND');
  });

  it('lists an invalid file with its error count instead of hiding it', async () => {
    writeFileSync(join(t.core.paths.configDir, 'templates', 'broken.yml'), 'dsl_version: "1.1"\nname: Broken\nsteps:\n  - nope: {}\n');
    const { items } = await call<{ items: TemplateSummary[] }>('templates.list', {});
    expect(items.find((i) => i.name === 'broken')).toMatchObject({ title: 'Broken', valid: false, error_count: 1, source: 'file' });
  });

  it('validates with the full validator', async () => {
    const r = await call<{ valid: boolean; errors: { message: string }[]; warnings: { message: string }[] }>('templates.validate', { yaml: 'dsl_version: "1.1"\nname: x\nsteps:\n  - find_file: {}\n' }, asUser('Runner'));
    expect(r.valid).toBe(false);
    expect(r.errors[0]!.message).toBe("unknown action 'find_file' (did you mean 'find_files'?)");
    const web = await call<{ valid: boolean; warnings: unknown[] }>('templates.validate', { yaml: 'dsl_version: "1.1"\nname: x\nsteps:\n  - open_browser: { url: "https://example.com" }\n' }, asUser('Runner'));
    expect(web).toMatchObject({ valid: true, warnings: [], risk: { risks: [] } });
  });

  it('says which steps the pre-run risk check would hold a template for', async () => {
    const yaml = 'dsl_version: "1.1"\nname: x\nsteps:\n  - open_browser: { url: "https://example.com" }\n  - click_by_text: { text: "送信" }\n';
    const r = await call<{ risk: unknown }>('templates.validate', { yaml }, asUser('Runner'));
    expect(r.risk).toEqual({ level: 'high', risks: [{ where: 'steps[1]', action: 'click_by_text', level: 'high', reason: "clicks '送信' (送信)" }] });
    await call('templates.save', { name: 'submit_form', yaml }, editor);
    expect((await call<{ risk: unknown }>('templates.get', { name: 'submit_form' })).risk).toEqual(r.risk);
  });

  it('says when a valid template uses an action this build cannot run', async () => {
    const lean = createTemplatesModule(t.core, { registry: new ActionRegistry(ACTION_FAMILIES.filter((f) => f[0]!.family !== 'web')) });
    const validate = lean.handlers!['templates.validate']!;
    const r = (await validate({ yaml: 'dsl_version: "1.1"\nname: x\nsteps:\n  - open_browser: { url: "https://example.com" }\n' }, editor)) as { valid: boolean; warnings: { message: string }[] };
    expect(r.valid).toBe(true);
    expect(r.warnings.map((w) => w.message)).toEqual(["action 'open_browser' is not available in this build; runs of this template will fail"]);
  });

  it('enforces roles: Viewers read, Runners validate, Editors manage', async () => {
    expect((await failure(call('templates.save', { name: 'x', yaml: TEMPLATE('x') }, asUser('Runner')))).code).toBe('FORBIDDEN');
    expect((await failure(call('templates.delete', { name: 'weekly_report' }, asUser('Runner')))).code).toBe('FORBIDDEN');
    expect((await failure(call('templates.validate', { yaml: TEMPLATE('x') }, asUser('Viewer')))).code).toBe('FORBIDDEN');
    expect((await call<{ items: unknown[] }>('templates.list', {}, asUser('Viewer'))).items.length).toBe(4);
  });
});

describe('templates over HTTP', () => {
  let http: RunningHttpServer;
  beforeEach(async () => {
    http = await startHttpServer({
      dispatcher: t.core.dispatcher,
      // The users module authenticates for real; here every request is an Editor's.
      authenticator: { authenticate: async () => ({ principal: editor.principal }), credential: () => ({ holds: () => true }) },
      bus: t.core.bus,
      streams: t.core.streams,
      logger: t.core.logger,
      host: '127.0.0.1',
      port: 0,
      allowRemote: false,
      bodyLimitBytes: 1024 * 1024,
    });
  });
  afterEach(async () => http.close());

  it('accepts a YAML body or JSON {name, yaml} on POST /api/templates, and DELETE /api/templates/{name}', async () => {
    const yamlBody = await fetch(`${http.url}/api/templates`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: TEMPLATE('日報 daily') });
    expect(yamlBody.status).toBe(201);
    expect(await yamlBody.json()).toMatchObject({ name: 'daily', created: true });
    const json = await fetch(`${http.url}/api/templates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'json_one', yaml: TEMPLATE('J') }) });
    expect(json.status).toBe(201);
    const got = await fetch(`${http.url}/api/templates/json_one`);
    expect(await got.json()).toMatchObject({ name: 'json_one', title: 'J' });
    const invalid = await fetch(`${http.url}/api/templates`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: 'name: [' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { details: { issues: unknown[] } } }).error.details.issues.length).toBeGreaterThan(0);
    const del = await fetch(`${http.url}/api/templates/json_one`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ deleted: true, name: 'json_one' });
    expect((await fetch(`${http.url}/api/templates/json_one`)).status).toBe(404);
  });
});
