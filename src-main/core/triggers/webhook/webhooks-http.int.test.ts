import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/contract/runs';
import type { DeliveryView, WebhookView } from '@shared/contract/webhooks';
import { startHttpServer, type RunningHttpServer } from '../../api/http';
import type { FakeClock } from '../../kernel/clock';
import { memoryKeychain } from '../../../../test-support/keychains';
import { asUser, tempCore, type TempCore } from '../../../../test-support/temp-core';

/** Webhooks over real HTTP on 127.0.0.1, a real core on a temp data dir (SPEC section 6). */

const GH = { secret: "It's a Secret to Everybody", body: 'Hello, World!', sig: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
const SW = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', ts: '1614265330', body: '{"test": 2432232314}', sig: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
const admin = asUser('Admin');

describe('webhooks over real HTTP', () => {
  let c: TempCore;
  let http: RunningHttpServer;
  let clock: FakeClock;
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${http.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    return { status: r.status, json: (await r.json()) as { run_id?: string; error?: { code: string; message: string } } };
  };
  const invoke = <T>(name: string, input: unknown) => c.core.invoke<T>(name as never, input, admin);

  beforeAll(async () => {
    c = await tempCore({ env: {}, keychain: memoryKeychain(), fakeClock: true });
    clock = c.clock!;
    // The Standard Webhooks example is signed at its own timestamp.
    clock.set(Number(SW.ts) * 1000 + 5_000);
    http = await startHttpServer({ dispatcher: c.core.dispatcher, authenticator: c.core.authenticator, bus: c.core.bus, streams: c.core.streams, logger: c.core.logger, host: '127.0.0.1', port: 0, allowRemote: false, bodyLimitBytes: 1 << 20, webhooks: c.core.webhookDeliveries });
    await invoke('templates.save', { name: 'deploy', yaml: 'dsl_version: "1.1"\nname: deploy\nsteps:\n  - log: { message: "deploy {{repository_name | default:\'-\'}}" }\n' });
    const base = { template: 'deploy' };
    await invoke('webhooks.create', { ...base, id: 'gh', name: 'GitHub Deploy Hook', endpoint: '/webhooks/deploy', secret: GH.secret, signature: 'github', allowed_ips: ['127.0.0.0/8', '::1'], extract_variables: ['repository.name', 'head_commit.id'] });
    await invoke('webhooks.create', { ...base, id: 'std', name: 'Standard', endpoint: '/webhooks/std', secret: SW.secret, signature: 'standard' });
    await invoke('webhooks.create', { ...base, id: 'stripe', name: 'Stripe', endpoint: '/webhooks/stripe', secret: 'whsec_stripe_test', signature: 'stripe' });
    await invoke('webhooks.create', { ...base, id: 'v6', name: 'IPv6 only', endpoint: '/webhooks/v6', secret: 'abcd1234', signature: 'github', allowed_ips: ['2001:db8::/32'] });
    await invoke('webhooks.create', { ...base, id: 'small', name: 'Small', endpoint: '/webhooks/small', signature: 'none', max_body_kb: 1 });
  });
  afterAll(async () => {
    await http.close();
    await c.cleanup();
  });

  it('answers in SPEC order: 404 unknown, 403 IP (before size), 413 size, 401 signature', async () => {
    expect((await post('/webhooks/nope', '{}')).status).toBe(404);
    const big = 'x'.repeat(4096);
    expect(await post('/webhooks/v6', big)).toMatchObject({ status: 403, json: { error: { code: 'IP_NOT_ALLOWED' } } });
    expect(await post('/webhooks/small', JSON.stringify({ pad: big }))).toMatchObject({ status: 413, json: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(await post('/webhooks/deploy', '{}')).toMatchObject({ status: 401, json: { error: { code: 'BAD_SIGNATURE', message: 'Bad signature: missing X-Hub-Signature-256 header' } } });
    expect((await post('/webhooks/deploy', '{}', { 'x-hub-signature-256': GH.sig })).status).toBe(401);
    // A forwarded header does not make a request come from elsewhere.
    expect((await post('/webhooks/v6', '{}', { 'x-forwarded-for': '2001:db8::1' })).status).toBe(403);
  });

  it("GitHub: the documentation's test vector passes the signature (its body is not JSON: 400); a signed JSON delivery is queued with its variables; a replay is 409", async () => {
    expect(await post('/webhooks/deploy', GH.body, { 'x-hub-signature-256': GH.sig, 'content-type': 'text/plain' })).toMatchObject({ status: 400, json: { error: { code: 'INVALID_JSON' } } });
    const body = JSON.stringify({ repository: { name: 'desktop-agent' }, head_commit: { id: 'c0ffee' } });
    const headers = { 'x-hub-signature-256': `sha256=${createHmac('sha256', GH.secret).update(body).digest('hex')}`, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
    const accepted = await post('/webhooks/deploy', body, headers);
    expect(accepted.status).toBe(202);
    const run = await invoke<RunView>('runs.get', { id: accepted.json.run_id });
    expect(run).toMatchObject({ trigger: 'webhook:gh', template: 'deploy', variables: { repository_name: 'desktop-agent', head_commit_id: 'c0ffee' } });
    expect(await post('/webhooks/deploy', body, headers)).toMatchObject({ status: 409, json: { error: { code: 'REPLAYED' } } });
  });

  it('Standard Webhooks: the specification example is accepted, replay 409, stale 401; Stripe t=,v1= accepted and stale rejected', async () => {
    const headers = { 'webhook-id': SW.id, 'webhook-timestamp': SW.ts, 'webhook-signature': `v1,b2xkIGtleQ== ${SW.sig}` };
    expect((await post('/webhooks/std', SW.body, headers)).status).toBe(202);
    expect((await post('/webhooks/std', SW.body, headers)).status).toBe(409);
    const t = Math.floor(clock.now() / 1000);
    const body = '{"id":"evt_1","type":"charge.succeeded"}';
    const v1 = createHmac('sha256', 'whsec_stripe_test').update(`${t}.${body}`).digest('hex');
    expect((await post('/webhooks/stripe', body, { 'stripe-signature': `t=${t},v1=${v1}` })).status).toBe(202);
    clock.advance(301_000);
    expect((await post('/webhooks/std', SW.body, { ...headers, 'webhook-id': 'msg_other' })).status).toBe(401);
    const t2 = Math.floor(clock.now() / 1000) - 301;
    const old = createHmac('sha256', 'whsec_stripe_test').update(`${t2}.${body}`).digest('hex');
    expect((await post('/webhooks/stripe', body, { 'stripe-signature': `t=${t2},v1=${old}` })).status).toBe(401);
  });

  it('keeps secrets out of webhooks.yaml and listings; lists deliveries with their codes, no bodies', async () => {
    const file = readFileSync(join(c.dir, 'configs', 'webhooks.yaml'), 'utf8');
    expect(file).toContain('secret: secrets://webhook_gh');
    expect(file).not.toContain(GH.secret);
    expect(file).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(file).toContain('# Signed webhooks (SPEC section 6)');
    const list = await invoke<{ items: WebhookView[] }>('webhooks.list', {});
    expect(JSON.stringify(list)).not.toContain(GH.secret);
    expect(list.items.find((w) => w.id === 'gh')).toMatchObject({ secret_stored: 'backend', path: '/webhooks/deploy', accepted_24h: 1 });
    const deliveries = await invoke<{ items: DeliveryView[] }>('webhooks.deliveries', { id: 'gh' });
    expect(deliveries.items.map((d) => d.status)).toEqual([409, 202, 400, 401, 401]);
    expect(JSON.stringify(deliveries)).not.toContain('desktop-agent');
    const bad = c.core.dispatcher.dispatch('webhooks.create', { id: 'x', name: 'x', endpoint: '/webhooks/deploy', template: 'deploy', signature: 'none', allowed_ips: ['10.0.0.0/40'] }, admin);
    expect(await bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'allowed_ips[0]' }, { path: 'endpoint' }] } } });
  });
  it('keeps max_queued across the deliveries queued together (the rest 429), and answers a replay 409 even while the queue is full', async () => {
    c.core.config.write('orchestrator.yaml', { queues: { default: {}, tight: { max_queued: 5, paused: true } } });
    await invoke('webhooks.create', { template: 'deploy', id: 'tight', name: 'Tight', endpoint: '/webhooks/tight', signature: 'none', queue: 'tight' });
    const send = (id: string) => post('/webhooks/tight', '{}', { 'webhook-id': id });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send(`tight-${i}`)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429).map((a) => a.json.error?.code)).toEqual(Array(7).fill('QUEUE_FULL'));
    const first = answers.findIndex((a) => a.status === 202);
    expect(await send(`tight-${first}`)).toMatchObject({ status: 409, json: { error: { code: 'REPLAYED' } } });
    expect((await invoke<{ items: { name: string; depth: number }[] }>('queues.list', {})).items.find((q) => q.name === 'tight')?.depth).toBe(5);
  });

  it('accepts every one of many deliveries sent at once (queued together), and of one delivery sent twice at once exactly one', async () => {
    const body = JSON.stringify({ repository: { name: 'burst' } });
    const sig = `sha256=${createHmac('sha256', GH.secret).update(body).digest('hex')}`;
    const send = (id: string) => post('/webhooks/deploy', body, { 'x-hub-signature-256': sig, 'x-github-delivery': id });
    const answers = await Promise.all([...Array.from({ length: 60 }, (_, i) => send(`burst-${i}`)), send('twice'), send('twice')]);
    expect(answers.slice(0, 60).map((a) => a.status)).toEqual(Array(60).fill(202));
    expect(new Set(answers.slice(0, 60).map((a) => a.json.run_id)).size).toBe(60);
    expect(answers.slice(60).map((a) => a.status).sort()).toEqual([202, 409]);
    for (const a of answers.filter((x) => x.status === 202)) expect(await invoke<RunView>('runs.get', { id: a.json.run_id! })).toMatchObject({ trigger: 'webhook:gh', variables: { repository_name: 'burst' } });
  });
});
