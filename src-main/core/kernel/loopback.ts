import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * A loopback name or IP literal. 127.x counts only as an IP literal: `127.0.0.1.nip.io` is a DNS
 * name an attacker controls. Used for the API's Host check, the --host flag and local callers.
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}
