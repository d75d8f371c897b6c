import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/contract/runs';
import { startHttpServer, type RunningHttpServer } from '../../api/http';
import { memoryKeychain } from '../../../../test-support/keychains';
import { asUser, tempCore, type TempCore } from '../../../../test-support/temp-core';

/**
 * The lean route of POST /webhooks/* (decision 0040) over real sockets: what the API does for every
 * request still holds there, the body is read only as far as it must be, and the signature is
 * checked over the bytes as sent.
 */
const SECRET = 'lean-route-secret';
const admin = asUser('Admin');
const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

/** Sends raw bytes on a fresh connection; the first answer's status line, headers and body (or the bytes sent before a reset). */
function rawExchange(port: number, head: string, body?: Buffer): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    socket.on('connect', () => socket.write(body ? Buffer.concat([Buffer.from(head), body]) : head));
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = got.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
      if (got.length < end + 4 + length) return;
      resolve({ status: Number(text.slice(9, 12)), head: text, body: got.toString('utf8', end + 4, end + 4 + length) });
      socket.destroy();
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no complete answer within 10 s')), 10_000).unref();
  });
}

describe('the lean webhook route', () => {
  let c: TempCore;
  let http: RunningHttpServer;
  let port: number;
  const invoke = <T>(name: string, input: unknown) => c.core.invoke<T>(name as never, input, admin);

  beforeAll(async () => {
    c = await tempCore({ env: {}, keychain: memoryKeychain() });
    http = await startHttpServer({ dispatcher: c.core.dispatcher, authenticator: c.core.authenticator, bus: c.core.bus, streams: c.core.streams, logger: c.core.logger, host: '127.0.0.1', port: 0, allowRemote: false, bodyLimitBytes: 1 << 20, webhooks: c.core.webhookDeliveries });
    port = http.port;
    await invoke('templates.save', { name: 'hook', yaml: 'dsl_version: "1.1"\nname: hook\nsteps:\n  - log: { message: "hook" }\n' });
    await invoke('webhooks.create', { id: 'gh', name: 'GitHub', endpoint: '/webhooks/gh', template: 'hook', secret: SECRET, signature: 'github', extract_variables: ['repository.name'], max_body_kb: 4 });
    await invoke('webhooks.create', { id: 'far', name: 'Elsewhere only', endpoint: '/webhooks/far', template: 'hook', signature: 'none', allowed_ips: ['203.0.113.0/24'] });
  });
  afterAll(async () => {
    await http.close();
    await c.cleanup();
  });

  it('keeps the API Host check (421, before the webhook is looked up) and its security headers and error shape', async () => {
    const foreign = await rawExchange(port, 'POST /webhooks/gh HTTP/1.1\r\nHost: attacker.example\r\nContent-Length: 2\r\n\r\n{}');
    expect(foreign.status).toBe(421);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: 'MISDIRECTED_REQUEST' } });
    const refused = await rawExchange(port, `POST /webhooks/gh HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(refused.status).toBe(401);
    expect(refused.head).toMatch(/\r\nx-content-type-options: nosniff/i);
    expect(refused.head).toMatch(/\r\nwww-authenticate: Bearer/i);
    expect(refused.head).toMatch(/\r\ncache-control: no-store/i);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'BAD_SIGNATURE', message: 'Bad signature: missing X-Hub-Signature-256 header' } });
  });

  it('answers 404, 403 and a declared oversize 413 without waiting for the body (which is never sent here)', async () => {
    const declared = (path: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`;
    expect((await rawExchange(port, declared('/webhooks/nope'))).status).toBe(404);
    expect((await rawExchange(port, declared('/webhooks/far'))).status).toBe(403);
    const big = await rawExchange(port, declared('/webhooks/gh'));
    expect(big.status).toBe(413);
    expect(big.head).toMatch(/\r\nconnection: close/i);
    const deliveries = await invoke<{ items: { status: number }[] }>('webhooks.deliveries', { id: 'gh' });
    expect(deliveries.items.map((d) => d.status)).toContain(413);
  });

  it('stops reading a chunked body once it passes the webhook limit (413), the server taking no more than a little past it', async () => {
    const r = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request({ host: '127.0.0.1', port, path: '/webhooks/gh', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        resolve({ status: res.statusCode ?? 0, sent });
        res.resume();
        req.destroy();
      });
      // As in http-hardening: the server's close with our bytes unread can arrive as a reset first.
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: 0, sent }) : reject(e)));
      const pump = () => {
        while (sent < 8 * 1024 * 1024 && req.write(Buffer.alloc(1024, 'b'))) sent += 1024;
        if (sent < 8 * 1024 * 1024) req.once('drain', pump);
      };
      pump();
      setTimeout(() => reject(new Error(`no answer after sending ${sent} bytes`)), 10_000).unref();
    });
    expect([413, 0], 'a 413, or the connection reset after it').toContain(r.status);
    expect(r.sent).toBeLessThan(4 * 1024 * 1024);
  });

  it('checks the signature over the bytes as sent: a body that is not valid UTF-8 but signed by its sender passes, and its run is queued', async () => {
    // "café" in Latin-1: 0xe9 is no UTF-8. Decoding and encoding it again (what a text body did) changed the bytes, so the HMAC.
    const body = Buffer.concat([Buffer.from('{"repository":{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}}')]);
    const head = `POST /webhooks/gh HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nX-Hub-Signature-256: ${sign(body)}\r\nX-GitHub-Delivery: latin-1\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await rawExchange(port, head, body);
    expect(r.status).toBe(202);
    const run = await invoke<RunView>('runs.get', { id: JSON.parse(r.body).run_id });
    expect(run).toMatchObject({ trigger: 'webhook:gh', variables: { repository_name: 'caf\ufffd' } });
  });

  it('survives hostile bodies: 200,000 levels of nesting are parsed, never walked; one under an extracted variable is a 400 naming it; __proto__ keys pollute nothing', async () => {
    const send = (body: string, id: string) =>
      rawExchange(port, `POST /webhooks/gh HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Hub-Signature-256: ${sign(body)}\r\nX-GitHub-Delivery: ${id}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`, Buffer.from(body));
    await invoke('webhooks.update', { id: 'gh', max_body_kb: 1024 });
    const nested = '['.repeat(200_000) + ']'.repeat(200_000);
    expect((await send(nested, 'deep')).status).toBe(202);
    const under = await send(`{"repository":{"name":${nested}}}`, 'deep-variable');
    expect(under.status).toBe(400);
    expect(JSON.parse(under.body).error).toMatchObject({ code: 'VALIDATION_ERROR', message: "The body's value for repository_name (extract_variables) is nested more than 64 levels deep" });
    const proto = await send('{"__proto__":{"polluted":true},"repository":{"name":{"__proto__":{"polluted":true}}}}', 'proto');
    expect(proto.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await send('{}', 'after')).status).toBe(202);
  });
});
