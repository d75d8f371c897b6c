import { describe, expect, it } from 'vitest';
import { isAllowedHost, isCrossSite, ownOrigins } from './host-guard';

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
  const own = { ...policy, origins: ownOrigins('127.0.0.1', 8000) };
  it('treats our own origin as same-site', () => {
    expect(isCrossSite({ origin: 'http://127.0.0.1:8000' }, 'POST', own)).toBe(false);
    expect(isCrossSite({ origin: 'http://localhost:8000', 'sec-fetch-site': 'same-origin' }, 'POST', own)).toBe(false);
    expect(isCrossSite({}, 'POST', own)).toBe(false);
  });
  it('refuses other origins, null origins and cross-site fetch metadata', () => {
    expect(isCrossSite({ origin: 'http://attacker.example' }, 'POST', own)).toBe(true);
    expect(isCrossSite({ origin: 'http://127.0.0.1:9999' }, 'POST', own)).toBe(true);
    expect(isCrossSite({ origin: 'null' }, 'POST', own)).toBe(true);
    expect(isCrossSite({ 'sec-fetch-site': 'cross-site' }, 'POST', own)).toBe(true);
  });
  // Issue 21 item 10: these were accepted (each normalises or resolves to a loopback address).
  it('refuses look-alike origins by exact comparison', () => {
    for (const origin of ['http://127.0.0.2:8000', 'http://0x7f.1:8000', 'http://2130706433:8000', 'http://127.0.0.1.:8000', 'https://127.0.0.1:8000', 'http://[::1]:8000', 'http://127.0.0.1:8000/', 'HTTP://127.0.0.1:8000']) {
      expect(isCrossSite({ origin }, 'POST', own), origin).toBe(true);
    }
  });
  it('never falls back to Referer: a state-changing request with a Referer and no Origin is refused', () => {
    expect(isCrossSite({ referer: 'http://attacker.example/page' }, 'POST', own)).toBe(true);
    expect(isCrossSite({ referer: 'http://127.0.0.1:8000/' }, 'DELETE', own)).toBe(true);
    // A link followed to a page (GET) carries a Referer and changes nothing.
    expect(isCrossSite({ referer: 'http://mail.example/inbox' }, 'GET', own)).toBe(false);
  });
  it('names the configured host and localhost as ours', () => {
    expect([...ownOrigins('127.0.0.1', 8000)].sort()).toEqual(['http://127.0.0.1:8000', 'http://localhost:8000']);
    expect([...ownOrigins('::1', 8000)].sort()).toEqual(['http://[::1]:8000', 'http://localhost:8000']);
    expect([...ownOrigins('localhost', 8000)].sort()).toEqual(['http://127.0.0.1:8000', 'http://[::1]:8000', 'http://localhost:8000']);
  });
  it('with --allow-remote, accepts the origin of the Host the request came to', () => {
    const remote = { port: 8000, allowRemote: true, origins: ownOrigins('0.0.0.0', 8000) };
    expect(isCrossSite({ origin: 'http://10.0.0.5:8000', host: '10.0.0.5:8000' }, 'POST', remote)).toBe(false);
    expect(isCrossSite({ origin: 'http://10.0.0.6:8000', host: '10.0.0.5:8000' }, 'POST', remote)).toBe(true);
  });
});
