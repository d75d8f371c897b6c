import { basename } from 'node:path';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { attachFiles, composeMail, saveDraft, sendMail } from '@shared/dsl/actions/mail';
import { ActionError, type ActionContext, type ActionDef } from '../action-types';
import { FileView } from './file-access';
import { implement } from './implement';

/** The mail being written by this run (compose_mail → attach_files → save_draft / send_mail). */
interface Draft {
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
  html: boolean;
  attachments: { path: string; filename: string; bytes: number }[];
}

const DRAFT = 'mail.draft';
const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
const DEFAULT_FROM = 'Desktop Agent <desktop-agent@localhost>';

function draftOf(ctx: ActionContext, action: string): Draft {
  const d = ctx.scratch.get<Draft>(DRAFT);
  if (!d) throw new ActionError('NO_DRAFT', `${action}: there is no mail draft; put a compose_mail step before it`);
  return d;
}

/** nodemailer options for a draft; attachments are read from where the run sees them. */
function mailOptions(d: Draft, ctx: ActionContext, action: string): Mail.Options {
  const view = new FileView(ctx);
  const missing: string[] = [];
  const attachments: Mail.Attachment[] = [];
  for (const a of d.attachments) {
    // Checked again when the file is read: a link may have been pointed elsewhere since attach_files.
    ctx.files.check(a.path, action);
    if (!view.exists(a.path)) {
      missing.push(a.path);
      continue;
    }
    // In a dry run a file an earlier step would create has no content yet.
    const source = view.source(a.path);
    attachments.push(source ? { filename: a.filename, path: source } : { filename: a.filename, content: '' });
  }
  if (missing.length) throw new ActionError('ATTACHMENT_NOT_FOUND', `${action}: attached file(s) no longer exist: ${missing.join(', ')}`, false, { missing });
  return {
    from: d.from,
    to: d.to,
    cc: d.cc.length ? d.cc : undefined,
    bcc: d.bcc.length ? d.bcc : undefined,
    subject: d.subject,
    ...(d.html ? { html: d.body } : { text: d.body }),
    attachments,
    date: new Date(ctx.clock.now()),
  };
}

const composeMailAction = implement(composeMail, {
  async run(p, ctx) {
    const draft: Draft = {
      id: `${ctx.runId}-${ctx.stepIndex}`,
      from: p.from ?? ctx.config.mail.from ?? DEFAULT_FROM,
      to: p.to,
      cc: p.cc ?? [],
      bcc: p.bcc ?? [],
      subject: p.subject,
      body: p.body,
      html: p.html,
      attachments: [],
    };
    ctx.scratch.set(DRAFT, draft);
    return { draft_id: draft.id, to: draft.to, subject: draft.subject };
  },
});

const attachFilesAction = implement(attachFiles, {
  async run(p, ctx) {
    const draft = draftOf(ctx, 'attach_files');
    const view = new FileView(ctx);
    const missing: string[] = [];
    const folders: string[] = [];
    const added: Draft['attachments'] = [];
    for (const raw of p.paths) {
      const path = ctx.files.check(raw, 'attach_files');
      const s = await view.stat(path);
      if (!s) missing.push(path);
      else if (s.dir) folders.push(path);
      else added.push({ path, filename: basename(path), bytes: s.size });
    }
    if (missing.length) throw new ActionError('ATTACHMENT_NOT_FOUND', `attach_files: cannot attach ${missing.length} missing file(s): ${missing.join(', ')}`, false, { missing });
    if (folders.length) throw new ActionError('IS_A_FOLDER', `attach_files: folders cannot be attached (zip them first with zip_folder): ${folders.join(', ')}`);
    const attachments = [...draft.attachments.filter((a) => !added.some((x) => x.path === a.path)), ...added];
    const total = attachments.reduce((n, a) => n + a.bytes, 0);
    if (total > MAX_ATTACHMENT_BYTES) {
      throw new ActionError('ATTACHMENTS_TOO_LARGE', `attach_files: attachments total ${(total / 1024 / 1024).toFixed(1)} MB; most mail servers refuse more than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
    }
    ctx.scratch.set(DRAFT, { ...draft, attachments });
    return { attached: added.length, files: attachments.map((a) => a.filename), total_bytes: total };
  },
});

/**
 * The draft as it may be stored: a secret in its text is masked before composing, because the
 * .eml encodes text (quoted-printable, RFC 2047 words) where no mask of the file could find it.
 * send_mail sends the real text; only the stored file is masked.
 */
function maskedDraft(d: Draft, ctx: ActionContext): Draft {
  const mask = (t: string) => ctx.artifacts.mask(t);
  return {
    ...d,
    from: mask(d.from),
    to: d.to.map(mask),
    cc: d.cc.map(mask),
    bcc: d.bcc.map(mask),
    subject: mask(d.subject),
    body: mask(d.body),
    attachments: d.attachments.map((a) => ({ ...a, filename: mask(a.filename) })),
  };
}

async function compose(options: Mail.Options, keepBcc: boolean): Promise<{ raw: Buffer; messageId: string }> {
  const node = new MailComposer(options).compile();
  node.keepBcc = keepBcc;
  const raw = await node.build();
  return { raw, messageId: node.messageId() };
}

const saveDraftAction = implement(saveDraft, {
  async run(p, ctx) {
    const draft = draftOf(ctx, 'save_draft');
    // X-Unsent: mail programs (Outlook, Thunderbird) open the file as a draft to edit and send.
    const { raw, messageId } = await compose({ ...mailOptions(maskedDraft(draft, ctx), ctx, 'save_draft'), headers: { 'X-Unsent': '1' } }, true);
    const name = `${(p.name ?? 'draft').replace(/\.eml$/i, '')}.eml`;
    const ref = await ctx.artifacts.write(name, raw, 'message/rfc822', 'mail-draft');
    return { eml: `${ctx.artifacts.dir}/${ref.name}`, artifact: ref.name, bytes: ref.bytes, message_id: messageId };
  },
  async dryRun(p, ctx) {
    const draft = draftOf(ctx, 'save_draft');
    mailOptions(draft, ctx, 'save_draft');
    return { would_save: { name: `${(p.name ?? 'draft').replace(/\.eml$/i, '')}.eml`, subject: draft.subject, to: draft.to, attachments: draft.attachments.map((a) => a.filename) } };
  },
});

const sendMailAction = implement(sendMail, {
  async run(_p, ctx) {
    const draft = draftOf(ctx, 'send_mail');
    const smtp = ctx.config.mail.smtp;
    if (!smtp) throw new ActionError('MAIL_NOT_CONFIGURED', 'send_mail: mail.smtp is not configured in orchestrator.yaml (host, port, user, password_secret); save_draft needs no server');
    let pass: string | undefined;
    if (smtp.password_secret) {
      if (!ctx.resolveSecret) throw new ActionError('SECRET_NOT_FOUND', 'send_mail: secrets are not available to this run');
      pass = await ctx.resolveSecret(smtp.password_secret);
    }
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass } : undefined,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    const stop = () => transport.close();
    ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      const info = await transport.sendMail(mailOptions(draft, ctx, 'send_mail'));
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length && !(info.accepted ?? []).length) throw new ActionError('MAIL_REJECTED', `send_mail: the server refused every recipient: ${rejected.join(', ')}`);
      return { sent: true, message_id: info.messageId, accepted: (info.accepted ?? []).map(String), rejected };
    } catch (e) {
      if (e instanceof ActionError) throw e;
      const err = e as Error & { code?: string; responseCode?: number; rejected?: unknown[] };
      const where = `SMTP ${smtp.host}:${smtp.port}`;
      if (err.code === 'EAUTH') throw new ActionError('MAIL_AUTH_FAILED', `send_mail: ${where} refused the login for ${smtp.user ?? '(no user)'}: ${err.message}`);
      if (err.code === 'EENVELOPE') {
        const who = (err.rejected ?? []).map(String);
        throw new ActionError('MAIL_REJECTED', `send_mail: ${where} refused the message${who.length ? ` for ${who.join(', ')}` : ''}: ${err.message}`);
      }
      if (err.code === 'ETIMEDOUT') throw new ActionError('NETWORK_TIMEOUT', `send_mail: ${where}: connection timed out`, true);
      if (err.code === 'ECONNECTION' || err.code === 'ESOCKET' || err.code === 'EDNS') throw new ActionError('NETWORK_ERROR', `send_mail: ${where}: ${err.message}`, true);
      throw new ActionError('MAIL_SEND_FAILED', `send_mail: ${where}: ${err.message}`, (err.responseCode ?? 0) >= 400 && (err.responseCode ?? 0) < 500);
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      transport.close();
    }
  },
  async dryRun(_p, ctx) {
    const draft = draftOf(ctx, 'send_mail');
    mailOptions(draft, ctx, 'send_mail');
    return { sent: false, would_send: { to: draft.to, cc: draft.cc, subject: draft.subject, attachments: draft.attachments.map((a) => a.filename), configured: Boolean(ctx.config.mail.smtp) } };
  },
});

export const mailActions: readonly ActionDef[] = [composeMailAction, attachFilesAction, saveDraftAction, sendMailAction];
