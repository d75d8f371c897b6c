import { statusOf, type ErrorBody } from '@shared/contract/errors';

/** On every answer of the API, whichever route made it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** An error's HTTP answer: its status, the headers it asks for, and the body `{error}`. */
export function errorAnswer(e: ErrorBody): { status: number; headers: Record<string, string>; body: { error: ErrorBody } } {
  const headers: Record<string, string> = {};
  const retry = (e.details as { retry_after_s?: number } | undefined)?.retry_after_s;
  if (retry !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retry)));
  const status = statusOf(e.code);
  // A Bearer challenge (RFC 9110 asks for one on 401); never `Basic`, which would make browsers
  // pop up their own password dialog and then replay the password on every request.
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="desktop-agent"';
  return { status, headers, body: { error: e } };
}
