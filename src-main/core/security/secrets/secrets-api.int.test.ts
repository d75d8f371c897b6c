import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryKeychain } from '../../../../test-support/keychains';
import { filesContaining, secretForms, secretsCore, type SecretsCore } from '../../../../test-support/secrets-core';
import { asUser } from '../../../../test-support/temp-core';
import { startHttpServer, type RunningHttpServer } from '../../api/http';
import type { Authenticator } from '../../kernel/authenticator';
import { KEYCHAIN_SERVICE } from './keychain-backend';

const open: SecretsCore[] = [];
const servers: RunningHttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const c of open.splice(0)) await c.cleanup();
});

const VALUE = 'Sup3r/S3cret+Value=with spaces&more';

function leaks(text: string): string[] {
  return secretForms(VALUE).filter((f) => text.includes(f));
}

describe('secrets procedures', () => {
  it('lets an Admin store, list, inspect and delete, audited by reference and never with the value', async () => {
    const keychain = memoryKeychain();
    const c = await secretsCore({ keychain, env: { DESKTOP_AGENT_SECRETS_PASSPHRASE: 'pp-for-tests' } });
    open.push(c);
    const admin = asUser('Admin', 'alice');
    const answers: unknown[] = [];
    const call = async (name: Parameters<typeof c.core.invoke>[0], input: unknown) => {
      const r = await c.core.dispatcher.dispatch(name, input, admin);
      answers.push(r);
      return r;
    };

    expect(await call('secrets.setInService', { service: 'external_api', key: 'api_key', value: VALUE })).toEqual({
      ok: true,
      data: { key: 'api_key', service: 'external_api', backend: 'keychain', updated_at: expect.stringMatching(/Z$/), shadowed_by: null },
    });
    expect(keychain.items.get(`${KEYCHAIN_SERVICE}.external_api\0api_key`)).toBe(VALUE);
    expect(await call('secrets.set', { key: 'db_password', value: `${VALUE}-2`, backend: 'file' })).toMatchObject({ ok: true, data: { backend: 'file' } });
    const list = await call('secrets.list', {});
    expect(list).toMatchObject({
      ok: true,
      data: {
        items: [
          { key: 'db_password', service: null, backend: 'file' },
          { key: 'api_key', service: 'external_api', backend: 'keychain' },
        ],
      },
    });
    expect(await call('secrets.status', {})).toMatchObject({ ok: true, data: { order: ['keychain', 'env', 'file'], backends: [{ available: true }, { available: true }, { available: true }] } });
    expect(await call('secrets.deleteInService', { service: 'external_api', key: 'api_key' })).toEqual({
      ok: true,
      data: { key: 'api_key', service: 'external_api', deleted_from: ['keychain'], still_in: [] },
    });
    expect(await call('secrets.deleteInService', { service: 'external_api', key: 'api_key' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: "Secret 'external_api/api_key' not found in any writable backend" },
    });
    expect(leaks(JSON.stringify(answers))).toEqual([]);

    const audit = c.core.audit.query({ action: 'secrets.' });
    expect(audit.map((a) => [a.user, a.action, a.resource, a.result, a.permission])).toEqual([
      ['alice', 'secrets.deleteInService', 'external_api/api_key', 'error', 'manage_secrets'],
      ['alice', 'secrets.deleteInService', 'external_api/api_key', 'ok', 'manage_secrets'],
      ['alice', 'secrets.status', null, 'granted', 'manage_secrets'],
      ['alice', 'secrets.list', null, 'granted', 'manage_secrets'],
      ['alice', 'secrets.set', 'db_password', 'ok', 'manage_secrets'],
      ['alice', 'secrets.setInService', 'external_api/api_key', 'ok', 'manage_secrets'],
    ]);
    expect(leaks(JSON.stringify(audit))).toEqual([]);
    expect(leaks(c.logs.lines.join('\n'))).toEqual([]);
    await c.stop();
    expect(filesContaining(c.dir, VALUE)).toEqual([]);
    expect(filesContaining(c.dir, `${VALUE}-2`)).toEqual([]);
  });

  it('refuses every role but Admin, naming the permission, and audits the refusal', async () => {
    const c = await secretsCore({ keychain: memoryKeychain() });
    open.push(c);
    for (const role of ['Viewer', 'Runner', 'Editor'] as const) {
      for (const [name, input] of [
        ['secrets.list', {}],
        ['secrets.status', {}],
        ['secrets.set', { key: 'k1', value: VALUE }],
        ['secrets.deleteInService', { service: 's', key: 'k1' }],
      ] as const) {
        const r = await c.core.dispatcher.dispatch(name, input, asUser(role));
        expect(r, `${role} ${name}`).toEqual({
          ok: false,
          error: { code: 'FORBIDDEN', message: `Permission 'manage_secrets' required; your role ${role} does not have it`, details: { permission: 'manage_secrets', role } },
        });
      }
    }
    expect(await c.core.secrets.list()).toEqual([]);
    const denied = c.core.audit.query({ action: 'secrets.', result: 'denied' });
    expect(denied).toHaveLength(12);
    expect(denied.find((d) => d.action === 'secrets.deleteInService')?.resource).toBe('s/k1');
    expect(leaks(JSON.stringify(denied))).toEqual([]);
  });

  it('rejects bad keys and short values with the reason, without echoing the value', async () => {
    const c = await secretsCore({ keychain: memoryKeychain() });
    open.push(c);
    const r = await c.core.dispatcher.dispatch('secrets.setInService', { service: 'bad service', key: 'k', value: VALUE }, asUser('Admin'));
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'service', message: "the secret service 'bad service' may contain only letters, digits, '_', '-' and '.'" }] } } });
    const short = await c.core.dispatcher.dispatch('secrets.set', { key: 'k', value: 'abc' }, asUser('Admin'));
    expect(short).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'value' }] } } });
    expect(JSON.stringify(short)).not.toContain('"abc"');
    expect(leaks(JSON.stringify(r))).toEqual([]);
  });
});

describe('secrets over HTTP', () => {
  it('takes a raw text or JSON body on PUT /api/secrets/[{service}/]{key} and never answers with a value', async () => {
    const keychain = memoryKeychain();
    const c = await secretsCore({ keychain, env: { DESKTOP_AGENT_SECRET_FROM_ENV: 'env-value-1234' } });
    open.push(c);
    // Until the users module merges, an authenticator that signs every request in as an Admin.
    const adminAuth: Authenticator = { authenticate: async () => ({ principal: { ...asUser('Admin', 'http-admin').principal, via: 'password' } }), credential: () => ({ holds: () => true }) };
    const http = await startHttpServer({ dispatcher: c.core.dispatcher, authenticator: adminAuth, bus: c.core.bus, streams: c.core.streams, logger: c.core.logger, host: '127.0.0.1', port: 0, allowRemote: false, bodyLimitBytes: 1 << 20 });
    servers.push(http);
    const bodies: string[] = [];
    const req = async (method: string, path: string, body?: string, type?: string) => {
      const r = await fetch(`${http.url}${path}`, { method, body, headers: type ? { 'content-type': type } : {} });
      const text = await r.text();
      bodies.push(text);
      return { status: r.status, json: JSON.parse(text) as Record<string, unknown> };
    };

    expect(await req('PUT', '/api/secrets/api_key', VALUE, 'text/plain')).toMatchObject({ status: 200, json: { key: 'api_key', service: null, backend: 'keychain' } });
    expect(keychain.items.get(`${KEYCHAIN_SERVICE}\0api_key`)).toBe(VALUE);
    expect(await req('PUT', '/api/secrets/external_api/api_key?backend=keychain', JSON.stringify({ value: `${VALUE}-json` }), 'application/json')).toMatchObject({
      status: 200,
      json: { key: 'api_key', service: 'external_api', backend: 'keychain' },
    });
    expect(keychain.items.get(`${KEYCHAIN_SERVICE}.external_api\0api_key`)).toBe(`${VALUE}-json`);
    const list = await req('GET', '/api/secrets');
    expect((list.json.items as { key: string; service: string | null; backend: string }[]).map((i) => `${i.backend}:${i.service ?? ''}/${i.key}`)).toEqual([
      'keychain:/api_key',
      'env:/from_env',
      'keychain:external_api/api_key',
    ]);
    const status = await req('GET', '/api/secrets/status');
    expect(status.json).toMatchObject({ order: ['keychain', 'env', 'file'], lookups_24h: 0 });
    expect(await req('PUT', '/api/secrets/env_only', JSON.stringify({ value: 'value-for-env', backend: 'env' }), 'application/json')).toMatchObject({
      status: 400,
      json: { error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(/env backend is read-only/) } },
    });
    expect(await req('DELETE', '/api/secrets/external_api/api_key')).toMatchObject({ status: 200, json: { deleted_from: ['keychain'] } });
    expect(await req('DELETE', '/api/secrets/from_env')).toMatchObject({ status: 200, json: { deleted_from: [], still_in: ['env'] } });
    expect(await req('DELETE', '/api/secrets/nothing_here')).toMatchObject({ status: 404 });
    expect(leaks(bodies.join('\n'))).toEqual([]);
    expect(bodies.join('\n')).not.toContain('env-value-1234');

    const audit = c.core.audit.query({ action: 'secrets.setInService' })[0]!;
    expect(audit).toMatchObject({ user: 'http-admin', resource: 'external_api/api_key', result: 'ok', source: '127.0.0.1' });
    await c.stop();
    expect(readFileSync(join(c.dir, 'logs', 'desktop-agent.log'), 'utf8')).not.toContain(VALUE);
    expect(filesContaining(c.dir, VALUE)).toEqual([]);
  });
});
