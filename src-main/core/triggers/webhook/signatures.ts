import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Webhook signatures (SPEC section 6): HMAC-SHA256 over the raw body, compared in constant time.
 * Each scheme also names the delivery id used against replays (409).
 */
export type SignatureScheme = 'github' | 'stripe' | 'standard' | 'none';

export type Verdict = { ok: true; deliveryId: string | null } | { ok: false; reason: string };

/** Stripe's and Standard Webhooks' timestamp tolerance. */
export const TOLERANCE_S = 300;

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Secrets as key objects, made once per secret rather than once per delivery. */
const keys = new Map<string, KeyObject>();

/** The raw body as the transport gave it: bytes (never decoded and encoded again) or text. */
type Body = string | Buffer;

function hmac(key: string | Buffer, ...data: Body[]): Buffer {
  const id = typeof key === 'string' ? `s:${key}` : `b:${key.toString('base64')}`;
  let k = keys.get(id);
  if (!k) {
    if (keys.size >= 256) keys.clear();
    k = createSecretKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
    keys.set(id, k);
  }
  const h = createHmac('sha256', k);
  for (const part of data) h.update(part);
  return h.digest();
}

function sameBytes(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function fresh(timestampS: number, nowMs: number): boolean {
  return Number.isFinite(timestampS) && Math.abs(nowMs / 1000 - timestampS) <= TOLERANCE_S;
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex>`; the delivery is `X-GitHub-Delivery`. */
function github(secret: string, headers: Headers, body: Body): Verdict {
  const sig = header(headers, 'x-hub-signature-256');
  if (!sig) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(sig.trim());
  if (!m) return { ok: false, reason: 'X-Hub-Signature-256 is not sha256=<64 hex digits>' };
  if (!sameBytes(hmac(secret, body), Buffer.from(m[1]!, 'hex'))) return { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
  return { ok: true, deliveryId: header(headers, 'x-github-delivery') ?? digest(sig) };
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]` over `<t>.<body>`, 300 s tolerance. */
function stripe(secret: string, headers: Headers, body: Body, now: number): Verdict {
  const sig = header(headers, 'stripe-signature');
  if (!sig) return { ok: false, reason: 'missing Stripe-Signature header' };
  const parts = sig.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const v1 = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!t || !/^\d{1,12}$/.test(t) || !v1.length) return { ok: false, reason: 'Stripe-Signature needs t=<unix time> and v1=<hex>' };
  if (!fresh(Number(t), now)) return { ok: false, reason: `Stripe-Signature timestamp is more than ${TOLERANCE_S} s from now` };
  const expected = hmac(secret, `${t}.`, body);
  if (!v1.some((v) => sameBytes(expected, v))) return { ok: false, reason: 'no v1 signature in Stripe-Signature matches the body' };
  return { ok: true, deliveryId: digest(sig) };
}

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> [v1,<base64> …]`
 * (several during key rotation) over `<id>.<timestamp>.<body>`, with the key from `whsec_<base64>`.
 */
function standard(secret: string, headers: Headers, body: Body, now: number): Verdict {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^\d{1,12}$/.test(ts) || !fresh(Number(ts), now)) return { ok: false, reason: `webhook-timestamp is more than ${TOLERANCE_S} s from now` };
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const expected = hmac(key, `${id}.${ts}.`, body);
  const given = sig
    .split(' ')
    .map((s) => s.split(','))
    .filter(([v, b64]) => v === 'v1' && b64)
    .map(([, b64]) => Buffer.from(b64!, 'base64'));
  if (!given.some((g) => sameBytes(expected, g))) return { ok: false, reason: 'no v1 signature in webhook-signature matches the body' };
  return { ok: true, deliveryId: id };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function verifySignature(scheme: SignatureScheme, secret: string | undefined, headers: Headers, rawBody: Body, nowMs: number): Verdict {
  if (scheme === 'none') return { ok: true, deliveryId: header(headers, 'webhook-id') ?? header(headers, 'x-github-delivery') ?? header(headers, 'idempotency-key') ?? null };
  if (!secret) return { ok: false, reason: 'the webhook has no secret' };
  if (scheme === 'github') return github(secret, headers, rawBody);
  if (scheme === 'stripe') return stripe(secret, headers, rawBody, nowMs);
  return standard(secret, headers, rawBody, nowMs);
}
