import { describe, expect, it } from 'vitest';
import { createEnvBackend, envVarName } from './env-backend';

describe('environment backend', () => {
  it('maps keys as the guide does, upper-cased, and services with a double underscore', () => {
    expect(envVarName({ key: 'api_key' })).toBe('DESKTOP_AGENT_SECRET_API_KEY');
    expect(envVarName({ key: 'db_password' })).toBe('DESKTOP_AGENT_SECRET_DB_PASSWORD');
    expect(envVarName({ key: 'smtp.pass-word' })).toBe('DESKTOP_AGENT_SECRET_SMTP_PASS_WORD');
    expect(envVarName({ service: 'external_api', key: 'api_key' })).toBe('DESKTOP_AGENT_SECRET_EXTERNAL_API__API_KEY');
  });

  it('reads case-insensitively, scopes services strictly, and is read-only', async () => {
    const b = createEnvBackend({ DESKTOP_AGENT_SECRET_API_KEY: 'k1', DESKTOP_AGENT_SECRET_EXTERNAL_API__API_KEY: 'k2', DESKTOP_AGENT_SECRET_EMPTY: '' });
    expect(await b.get({ key: 'api_key' })).toBe('k1');
    expect(await b.get({ key: 'API_KEY' })).toBe('k1');
    expect(await b.get({ service: 'external_api', key: 'api_key' })).toBe('k2');
    // A service-scoped reference never falls back to the unscoped variable.
    expect(await b.get({ service: 'other', key: 'api_key' })).toBeUndefined();
    expect(await b.get({ key: 'empty' })).toBeUndefined();
    expect(b.writable).toBe(false);
    await expect(b.set({ key: 'x' }, 'v')).rejects.toThrow(/read-only/);
    expect(await b.list()).toEqual([{ key: 'api_key' }, { service: 'external_api', key: 'api_key' }]);
  });
});
