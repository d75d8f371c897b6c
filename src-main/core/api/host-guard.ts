import { isIP } from 'node:net';
import { isLoopbackHost } from '../kernel/loopback';

/**
 * DNS-rebinding and cross-site defences for the loopback API.
 *
 * A rebinding attack reaches us with the attacker's domain in `Host`, so only loopback names
 * and IP literals (which cannot be rebound) are accepted. A page on another site reaches us with
 * its own `Origin` (or `Sec-Fetch-Site: cross-site`); those are refused.
 */
export interface HostPolicy {
  port: number;
  /** With --allow-remote, any IP literal is a valid Host; otherwise loopback only. */
  allowRemote: boolean;
  extraHosts?: string[];
}

export function splitHost(host: string): { name: string; port?: number } {
  const h = host.trim().toLowerCase();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(h);
  if (bracket) return { name: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : undefined };
  const parts = h.split(':');
  if (parts.length === 2) return { name: parts[0]!, port: Number(parts[1]) };
  return { name: h };
}

export function isAllowedHost(hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (!hostHeader) return false;
  const { name, port } = splitHost(hostHeader);
  if (port !== undefined && port !== policy.port) return false;
  // 127.x only as an IP literal: a DNS name is exactly what a rebinding attack sends.
  if (isLoopbackHost(name)) return true;
  if (policy.extraHosts?.map((h) => h.toLowerCase()).includes(name)) return true;
  return policy.allowRemote && isIP(name) !== 0;
}

/** Same-origin means our own scheme://host:port; anything else is cross-site. */
export function isCrossSite(headers: { origin?: string; 'sec-fetch-site'?: string }, policy: HostPolicy): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (!origin) return false;
  if (origin === 'null') return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return true;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return true;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return !isAllowedHost(`${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${port}`, policy);
}
