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

/**
 * The origins a page served by this server has: `http://` + the configured host + `:port`, and the
 * loopback name `localhost` for a loopback host (what people type). Nothing else: `127.0.0.2`,
 * `0x7f.1`, `2130706433`, `127.0.0.1.` or `https://` are other origins, whatever they resolve to.
 */
export function ownOrigins(host: string, port: number): Set<string> {
  const h = host.toLowerCase();
  const named = h.includes(':') ? `[${h}]` : h === '0.0.0.0' ? '127.0.0.1' : h;
  const names = new Set([named]);
  if (named === 'localhost') for (const n of ['127.0.0.1', '[::1]']) names.add(n);
  if (named === 'localhost' || named === '[::1]' || named === '[::]' || /^127\.\d+\.\d+\.\d+$/.test(named) || h === '0.0.0.0') names.add('localhost');
  if (named === '[::]') names.add('[::1]');
  return new Set([...names].map((n) => `http://${n}:${port}`));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site, refused: fetch metadata saying another site; an `Origin` that is not exactly one of
 * ours (string equality, no parsing that would normalise a look-alike into ours); and, on a
 * state-changing request without `Origin`, any `Referer` (browsers send `Origin` on every POST,
 * our pages send no Referer, and a Referer is never a fallback). With --allow-remote, the origin
 * naming the very `Host` the request came to (already checked) is ours too.
 */
export function isCrossSite(
  headers: { origin?: string; referer?: string; host?: string; 'sec-fetch-site'?: string },
  method: string,
  policy: HostPolicy & { origins: ReadonlySet<string> },
): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (origin === undefined) return !SAFE_METHODS.has(method.toUpperCase()) && headers.referer !== undefined;
  if (policy.origins.has(origin)) return false;
  return !(policy.allowRemote && headers.host !== undefined && origin === `http://${headers.host.toLowerCase()}`);
}
