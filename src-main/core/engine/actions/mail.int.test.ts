import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineHarness, mapSecrets, template, type EngineHarness } from '../../../../test-support/engine';
import { q, tempDir, writePdf, writeTree } from '../../../../test-support/files';

let dir: string;
let h: EngineHarness;
beforeEach(async () => {
  dir = tempDir('mail');
  await writePdf(join(dir, '週報 2026年1月.pdf'), 2, 'weekly');
  writeTree(dir, { 'メモ.txt': '日本語のメモ' });
});
afterEach(() => h?.cleanup());

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address));

describe('compose_mail, attach_files, save_draft', () => {
  it('writes a standards .eml into the artifacts in which Japanese subject, body and file names survive', async () => {
    h = engineHarness();
    const r = await h.run(
      template(`  - compose_mail:
      to: ["部長 <boss@example.com>", team@example.com]
      cc: cc@example.com
      bcc: archive@example.com
      subject: "週報 {{date}} の送付"
      body: "お疲れ様です。\\n今週の週報を添付します。"
  - attach_files: { paths: [${q(join(dir, '週報 2026年1月.pdf'))}, ${q(join(dir, 'メモ.txt'))}] }
  - save_draft: { name: 週報 }
`),
    );
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[1]!.result).toMatchObject({ attached: 2, files: ['週報 2026年1月.pdf', 'メモ.txt'] });
    const saved = r.view.steps[2]!;
    expect(saved.artifacts).toEqual([{ name: '週報.eml', contentType: 'message/rfc822', bytes: expect.any(Number), kind: 'mail-draft' }]);
    const raw = readFileSync(join(h.artifactsDir, r.runId, '週報.eml'));
    expect(raw.toString('latin1')).toMatch(/^X-Unsent: 1\r?$/m);
    // Headers are 7-bit (RFC 2047 encoded words): the file is a standards message, not raw UTF-8 headers.
    expect(raw.toString('latin1').split(/\r?\n\r?\n/)[0]).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    const mail = await simpleParser(raw);
    expect(mail.subject).toMatch(/^週報 \d{4}-\d{2}-\d{2} の送付$/);
    expect(mail.text?.trim()).toBe('お疲れ様です。\n今週の週報を添付します。');
    expect(addresses(mail.to)).toEqual(['boss@example.com', 'team@example.com']);
    expect(addresses(mail.cc)).toEqual(['cc@example.com']);
    expect(addresses(mail.bcc)).toEqual(['archive@example.com']);
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['週報 2026年1月.pdf', 'application/pdf'],
      ['メモ.txt', 'text/plain'],
    ]);
    expect(mail.attachments[1]!.content.toString('utf8')).toBe('日本語のメモ');
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('lists every missing attachment in the error', async () => {
    h = engineHarness();
    const r = await h.run(template(`  - compose_mail: { to: a@example.com, subject: x }\n  - attach_files: { paths: [${q(join(dir, 'メモ.txt'))}, ${q(join(dir, 'なし 1.pdf'))}, ${q(join(dir, 'なし 2.pdf'))}] }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'ATTACHMENT_NOT_FOUND' });
    expect(r.view.steps[1]!.error).toBe(`attach_files: cannot attach 2 missing file(s): ${join(dir, 'なし 1.pdf')}, ${join(dir, 'なし 2.pdf')}`);
  });

  it('refuses an address that is not one, before anything runs', async () => {
    h = engineHarness();
    const r = await h.run(template('  - compose_mail: { to: "not an address", subject: x }\n'));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'VALIDATION_ERROR' });
    expect(r.outcome.error).toMatch(/'not an address' is not a mail address/);
  });
});

describe('send_mail', () => {
  let server: SMTPServer;
  let port: number;
  const received: { from: string; to: string[]; raw: Buffer; user?: string }[] = [];
  beforeEach(async () => {
    received.length = 0;
    server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, cb) {
        if (auth.username === 'agent' && auth.password === 'smtp-p@ss 秘密') cb(null, { user: 'agent' });
        else cb(new Error('Invalid username or password'));
      },
      onRcptTo(address, _session, cb) {
        if (address.address.endsWith('@blocked.example')) cb(new Error('Mailbox unavailable'));
        else cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ from: String((session.envelope.mailFrom as { address: string }).address), to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks), user: session.user as string });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.server.address() as AddressInfo).port;
  });
  afterEach(async () => new Promise<void>((r) => server.close(() => r())));

  const config = (password = 'mail_password') => ({ mail: { from: 'エージェント <agent@example.com>', smtp: { host: '127.0.0.1', port, secure: false, user: 'agent', password_secret: `secrets://${password}` } } });

  it('sends over SMTP with the password from secrets; Japanese arrives intact; the password is never stored', async () => {
    h = engineHarness({ config: config(), secrets: mapSecrets({ mail_password: 'smtp-p@ss 秘密' }) });
    const r = await h.run(template(`  - compose_mail: { to: [boss@example.com], bcc: [hidden@example.com], subject: "週報", body: "本文です" }\n  - attach_files: { paths: [${q(join(dir, 'メモ.txt'))}] }\n  - send_mail: {}\n`));
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[2]!.result).toMatchObject({ sent: true, accepted: ['boss@example.com', 'hidden@example.com'], rejected: [] });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'agent@example.com', to: ['boss@example.com', 'hidden@example.com'], user: 'agent' });
    const mail = await simpleParser(received[0]!.raw);
    expect(mail.subject).toBe('週報');
    expect(mail.text?.trim()).toBe('本文です');
    expect(mail.from?.value[0]).toMatchObject({ name: 'エージェント', address: 'agent@example.com' });
    expect(mail.bcc).toBeUndefined();
    expect(mail.attachments[0]!.filename).toBe('メモ.txt');
    const dump = JSON.stringify(h.db.prepare('select * from run_steps').all()) + JSON.stringify(h.db.prepare('select * from runs').all()) + h.logs.lines.join('\n');
    expect(dump).not.toContain('smtp-p@ss 秘密');
  });

  it('masks a secret in the saved draft (decoded subject and body), and sends the real text', async () => {
    const token = 'mail-token-é/+=&8c1f';
    h = engineHarness({ config: config(), secrets: mapSecrets({ mail_password: 'smtp-p@ss 秘密', token }) });
    const r = await h.run(
      template(`  - compose_mail: { to: [boss@example.com], subject: "Token {{secrets://token}}", body: "The token is {{secrets://token}}." }\n  - save_draft: { name: token }\n  - send_mail: {}\n`),
    );
    expect(r.outcome.status).toBe('succeeded');
    const draft = await simpleParser(readFileSync(join(h.artifactsDir, r.runId, 'token.eml')));
    expect([draft.subject, draft.text?.trim()]).toEqual(['Token ***', 'The token is ***.']);
    const sent = await simpleParser(received[0]!.raw);
    expect([sent.subject, sent.text?.trim()]).toEqual([`Token ${token}`, `The token is ${token}.`]);
  });

  it('fails clearly: not configured, missing password secret, wrong password, refused recipient, server down', async () => {
    h = engineHarness();
    const steps = '  - compose_mail: { to: boss@example.com, subject: s }\n  - send_mail: {}\n';
    expect((await h.run(template(steps))).view.steps[1]).toMatchObject({ error_code: 'MAIL_NOT_CONFIGURED' });
    h.cleanup();

    h = engineHarness({ config: config('absent') });
    expect((await h.run(template(steps))).view.steps[1]).toMatchObject({ error_code: 'SECRET_NOT_FOUND', error: "Secret 'absent' not found" });
    h.cleanup();

    h = engineHarness({ config: config(), secrets: mapSecrets({ mail_password: 'wrong' }) });
    const auth = await h.run(template(steps));
    expect(auth.view.steps[1]).toMatchObject({ error_code: 'MAIL_AUTH_FAILED' });
    expect(auth.outcome.retryable).toBe(false);
    h.cleanup();

    h = engineHarness({ config: config(), secrets: mapSecrets({ mail_password: 'smtp-p@ss 秘密' }) });
    const refused = await h.run(template('  - compose_mail: { to: x@blocked.example, subject: s }\n  - send_mail: {}\n'));
    expect(refused.view.steps[1]!.error_code).toMatch(/MAIL_REJECTED|MAIL_SEND_FAILED/);
    expect(refused.view.steps[1]!.error).toContain('x@blocked.example');
    h.cleanup();

    await new Promise<void>((r) => server.close(() => r()));
    h = engineHarness({ config: config(), secrets: mapSecrets({ mail_password: 'smtp-p@ss 秘密' }) });
    const down = await h.run(template(steps));
    expect(down.view.steps[1]).toMatchObject({ error_code: 'NETWORK_ERROR' });
    expect(down.view.steps[1]!.error).toMatch(new RegExp(`send_mail: SMTP 127.0.0.1:${port}: .*ECONNREFUSED`));
    expect(down.outcome.retryable).toBe(true);
    server = new SMTPServer({});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
});
