import { describe, expect, it } from 'vitest';
import { UsageError, runtimeOptions } from './runtime-options';

describe('runtimeOptions: loopback only unless --allow-remote', () => {
  it('accepts loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(runtimeOptions({ host }, {}).host).toBe(host);
  });

  it('refuses any other address without --allow-remote, naming the flag', () => {
    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'example.com', '127.attacker.example']) {
      expect(() => runtimeOptions({ host }, {}), host).toThrow(UsageError);
      expect(() => runtimeOptions({ host }, {}), host).toThrow(`--host ${host} is not a loopback address; the API listens on loopback only unless --allow-remote is given`);
    }
  });

  it('allows them with --allow-remote or DESKTOP_AGENT_ALLOW_REMOTE=1', () => {
    expect(runtimeOptions({ host: '0.0.0.0', 'allow-remote': true }, {})).toMatchObject({ host: '0.0.0.0', allowRemote: true });
    expect(runtimeOptions({}, { DESKTOP_AGENT_HOST: '0.0.0.0', DESKTOP_AGENT_ALLOW_REMOTE: '1' })).toMatchObject({ allowRemote: true });
  });
});
