import { describe, expect, it } from 'vitest';
import { isAllowedHost, isCrossSite } from './host-guard';

const policy = { port: 8000, allowRemote: false };

describe('isAllowedHost', () => {
  it('accepts loopback names on our port', () => {
    for (const h of ['127.0.0.1:8000', 'localhost:8000', '[::1]:8000', 'LOCALHOST:8000', 'localhost']) expect(isAllowedHost(h, policy), h).toBe(true);
  });
  it('refuses other names, other ports and a missing Host', () => {
    for (const h of ['evil.example', 'evil.example:8000', 'localhost:9000', '127.0.0.1.nip.io:8000', '127.attacker.example:8000', '10.0.0.5:8000', undefined]) {
      expect(isAllowedHost(h, policy), String(h)).toBe(false);
    }
  });
  it('accepts IP literals but never DNS names when remote access is allowed', () => {
    const remote = { port: 8000, allowRemote: true };
    expect(isAllowedHost('10.0.0.5:8000', remote)).toBe(true);
    expect(isAllowedHost('attacker.example:8000', remote)).toBe(false);
  });
});

describe('isCrossSite', () => {
  it('treats our own origin as same-site', () => {
    expect(isCrossSite({ origin: 'http://127.0.0.1:8000' }, policy)).toBe(false);
    expect(isCrossSite({ origin: 'http://localhost:8000', 'sec-fetch-site': 'same-origin' }, policy)).toBe(false);
    expect(isCrossSite({}, policy)).toBe(false);
  });
  it('refuses other origins, null origins and cross-site fetch metadata', () => {
    expect(isCrossSite({ origin: 'http://attacker.example' }, policy)).toBe(true);
    expect(isCrossSite({ origin: 'http://127.0.0.1:9999' }, policy)).toBe(true);
    expect(isCrossSite({ origin: 'null' }, policy)).toBe(true);
    expect(isCrossSite({ 'sec-fetch-site': 'cross-site' }, policy)).toBe(true);
  });
});
