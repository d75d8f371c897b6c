import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySignature } from './signatures';

// GitHub's documented test values ("Validating webhook deliveries"): secret "It's a Secret to Everybody",
// payload "Hello, World!".
const GH = { secret: "It's a Secret to Everybody", body: 'Hello, World!', sig: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };

// The Standard Webhooks specification's example (standard-webhooks/spec): secret, id, timestamp, payload, signature.
const SW = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  ts: '1614265330',
  body: '{"test": 2432232314}',
  sig: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signatures', () => {
  it("GitHub: the documentation's test vector is accepted; a changed body, a bad or missing header is not", () => {
    expect(verifySignature('github', GH.secret, { 'x-hub-signature-256': GH.sig, 'x-github-delivery': 'd-1' }, GH.body, 0)).toEqual({ ok: true, deliveryId: 'd-1' });
    expect(verifySignature('github', GH.secret, { 'x-hub-signature-256': GH.sig }, 'Hello, World?', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    expect(verifySignature('github', GH.secret, { 'x-hub-signature-256': 'sha1=abc' }, GH.body, 0)).toMatchObject({ ok: false });
    expect(verifySignature('github', GH.secret, {}, GH.body, 0)).toMatchObject({ ok: false, reason: 'missing X-Hub-Signature-256 header' });
  });

  it('Standard Webhooks: the specification example is accepted, with a rotated extra signature too; stale or wrong is not', () => {
    const now = Number(SW.ts) * 1000 + 10_000;
    const headers = { 'webhook-id': SW.id, 'webhook-timestamp': SW.ts, 'webhook-signature': SW.sig };
    expect(verifySignature('standard', SW.secret, headers, SW.body, now)).toEqual({ ok: true, deliveryId: SW.id });
    expect(verifySignature('standard', SW.secret, { ...headers, 'webhook-signature': `v1,b2xkIGtleSBzaWduYXR1cmU= ${SW.sig}` }, SW.body, now)).toMatchObject({ ok: true });
    expect(verifySignature('standard', SW.secret, headers, SW.body, now + 400_000)).toMatchObject({ ok: false, reason: expect.stringContaining('300 s') });
    expect(verifySignature('standard', 'whsec_b3RoZXI=', headers, SW.body, now)).toMatchObject({ ok: false });
  });

  it('Stripe: t=,v1= over "<t>.<body>" within 300 s', () => {
    const t = 1_700_000_000;
    const body = '{"id":"evt_1"}';
    const v1 = createHmac('sha256', 'whsec_stripe').update(`${t}.${body}`).digest('hex');
    const headers = { 'stripe-signature': `t=${t},v1=${'0'.repeat(64)},v1=${v1}` };
    expect(verifySignature('stripe', 'whsec_stripe', headers, body, t * 1000 + 299_000)).toMatchObject({ ok: true });
    expect(verifySignature('stripe', 'whsec_stripe', headers, body, t * 1000 + 301_000)).toMatchObject({ ok: false, reason: expect.stringContaining('300 s') });
    expect(verifySignature('stripe', 'whsec_stripe', { 'stripe-signature': `t=${t}` }, body, t * 1000)).toMatchObject({ ok: false });
  });
});
