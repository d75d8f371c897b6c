import { z } from 'zod';
import { defineActionSpec } from '../action-spec';
import { bool, nonEmpty, pathList, text, textList } from '../params';
import { hasTemplate } from '../template-string';

/** `a@example.com` or `Name <a@example.com>`; deliberately loose, the SMTP server decides the rest. */
const ADDRESS = /^(?:[^<>@\s][^<>]*<\s*[^<>@\s]+@[^<>@\s]+\s*>|[^<>@\s]+@[^<>@\s]+)$/;

function addresses(what: string) {
  return textList(what, 500).superRefine((list, ctx) => {
    for (const [i, a] of list.entries()) {
      if (!hasTemplate(a) && !ADDRESS.test(a.trim())) ctx.addIssue({ code: 'custom', message: `'${a}' is not a mail address`, path: list.length > 1 ? [i] : [] });
    }
  });
}

export const composeMail = defineActionSpec({
  name: 'compose_mail',
  family: 'mail',
  summary: 'Start a mail draft (to, cc, bcc, subject, body); attach_files, save_draft and send_mail use it',
  params: z.strictObject({
    to: addresses('a mail address or a list of addresses'),
    cc: addresses('a mail address or a list of addresses').optional(),
    bcc: addresses('a mail address or a list of addresses').optional(),
    from: nonEmpty(500, 'a mail address').optional(),
    subject: text(2_000, 'a subject').default(''),
    body: text(1_000_000, 'the body text').default(''),
    html: bool().default(false),
  }),
  idempotent: true,
  mutating: false,
  results: ['draft_id', 'to', 'subject'],
});

export const attachFiles = defineActionSpec({
  name: 'attach_files',
  family: 'mail',
  summary: 'Attach files to the current mail draft (every missing file is named in the error)',
  params: z.strictObject({ paths: pathList('a file or a list of files', 100) }),
  idempotent: true,
  mutating: false,
  needsDraft: true,
  results: ['attached', 'files', 'total_bytes'],
});

export const saveDraft = defineActionSpec({
  name: 'save_draft',
  family: 'mail',
  summary: "Write the current draft as a standards .eml file into the run's artifacts",
  params: z.strictObject({ name: nonEmpty(200, 'a file name').optional() }),
  idempotent: true,
  // A dry run writes no draft; it reports would_save.
  mutating: true,
  needsDraft: true,
  results: ['eml', 'artifact', 'bytes', 'message_id', 'would_save'],
});

export const sendMail = defineActionSpec({
  name: 'send_mail',
  family: 'mail',
  summary: 'Send the current draft over SMTP (mail.smtp in orchestrator.yaml)',
  params: z.strictObject({}),
  idempotent: false,
  mutating: true,
  needsDraft: true,
  results: ['sent', 'message_id', 'accepted', 'rejected', 'would_send'],
  risk: () => ({ level: 'high', reason: 'sends mail' }),
});

export const MAIL_ACTION_SPECS = [composeMail, attachFiles, saveDraft, sendMail] as const;
