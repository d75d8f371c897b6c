import { z } from 'zod';
import { defineActionSpec } from '../action-spec';
import { bool, int, nonEmpty, oneOf, path, text, timeoutMs } from '../params';
import { hasTemplate } from '../template-string';

/**
 * Web actions (Playwright, SPEC section 3). Their param schemas live here so that validation is
 * complete in every build; the implementations are `webActions` in
 * src-main/core/engine/actions/web.ts. Every web step also takes `screenshot: true` to keep a
 * picture of what the robot saw.
 */

const screenshot = bool().optional();

/** Buttons whose click changes something for real (SPEC section 9 pre-run risk check). */
export const RISKY_CLICK_WORDS = ['送信', '確定', '削除', '購入', '注文', '支払', '申込', '登録', 'submit', 'send', 'delete', 'remove', 'purchase', 'buy', 'pay', 'order', 'confirm'];

export function riskyClick(text: string): string | undefined {
  const lower = text.toLowerCase();
  return RISKY_CLICK_WORDS.find((w) => lower.includes(w));
}

const ROLES = ['button', 'link', 'textbox', 'checkbox', 'radio', 'combobox', 'heading', 'tab', 'menuitem', 'option', 'listitem', 'cell'] as const;
const role = oneOf(ROLES);

export const openBrowser = defineActionSpec({
  name: 'open_browser',
  family: 'web',
  summary: 'Open a page in the Chromium-family browser',
  params: z.strictObject({
    url: nonEmpty(8_192, 'a URL').superRefine((u, ctx) => {
      if (!hasTemplate(u) && !/^(https?|file):\/\//i.test(u)) ctx.addIssue({ code: 'custom', message: `'${u}' is not an http://, https:// or file:// URL` });
    }),
    context: nonEmpty(100, 'a context name').optional(),
    visible: bool().default(false),
    screenshot,
  }),
  idempotent: true,
  mutating: false,
  results: ['url', 'title'],
});

export const fillByLabel = defineActionSpec({
  name: 'fill_by_label',
  family: 'web',
  summary: 'Type into the field with this label (synonyms: 氏名/名前/お名前/Name, メール/Email, 件名/Subject, 本文/Message)',
  params: z.strictObject({ label: nonEmpty(500, 'a label'), text: text(100_000, 'the text to type'), screenshot }),
  idempotent: true,
  mutating: false,
  results: ['label', 'matched_label', 'filled'],
});

export const clickByText = defineActionSpec({
  name: 'click_by_text',
  family: 'web',
  summary: 'Click the element showing this text',
  params: z.strictObject({ text: nonEmpty(500, 'the text on the element'), role: role.optional(), screenshot }),
  idempotent: false,
  mutating: false,
  results: ['clicked', 'text'],
  risk: (p) => {
    const word = hasTemplate(p.text) ? undefined : riskyClick(p.text);
    return word ? { level: 'high', reason: `clicks '${p.text}'` } : undefined;
  },
});

export const waitForSelector = defineActionSpec({
  name: 'wait_for_selector',
  family: 'web',
  summary: 'Wait until a CSS selector matches',
  params: z.strictObject({ selector: nonEmpty(2_000, 'a CSS selector'), timeout_ms: timeoutMs().default(10_000), screenshot }),
  idempotent: true,
  mutating: false,
  results: ['found'],
});

export const waitForElement = defineActionSpec({
  name: 'wait_for_element',
  family: 'web',
  summary: 'Wait until an element with this text (and role) appears',
  params: z.strictObject({ text: nonEmpty(500, 'the text on the element'), role: role.optional(), timeout_ms: timeoutMs().default(10_000), screenshot }),
  idempotent: true,
  mutating: false,
  results: ['found'],
});

export const assertElement = defineActionSpec({
  name: 'assert_element',
  family: 'web',
  summary: 'Fail unless at least count_gte elements with this text (and role) exist',
  params: z.strictObject({ text: nonEmpty(500, 'the text on the element'), role: role.optional(), count_gte: int(0, 100_000).default(1), screenshot }),
  idempotent: true,
  mutating: false,
  results: ['count'],
});

export const assertText = defineActionSpec({
  name: 'assert_text',
  family: 'web',
  summary: 'Fail unless the page contains this text',
  params: z.strictObject({ contains: nonEmpty(10_000, 'the expected text'), screenshot }),
  idempotent: true,
  mutating: false,
  results: ['found'],
});

export const uploadFile = defineActionSpec({
  name: 'upload_file',
  family: 'web',
  summary: 'Choose a file in a file input (by selector or label)',
  params: z
    .strictObject({ path: path('the file to upload'), selector: nonEmpty(2_000).optional(), label: nonEmpty(500).optional(), screenshot })
    .refine((p) => Boolean(p.selector) !== Boolean(p.label), { error: 'give either selector or label' }),
  idempotent: true,
  mutating: false,
  results: ['uploaded'],
});

export const downloadFile = defineActionSpec({
  name: 'download_file',
  family: 'web',
  summary: 'Save the download the page starts into a folder or file',
  params: z.strictObject({ to: path('a folder or file'), screenshot }),
  idempotent: true,
  mutating: true,
  results: ['path', 'bytes', 'would_download'],
});

export const waitForDownload = defineActionSpec({
  name: 'wait_for_download',
  family: 'web',
  summary: 'Wait for a download to finish and save it',
  params: z.strictObject({ to: path('a folder or file'), timeout_ms: timeoutMs().default(60_000), screenshot }),
  idempotent: true,
  mutating: true,
  results: ['path', 'bytes', 'would_download'],
});

export const takeScreenshot = defineActionSpec({
  name: 'take_screenshot',
  family: 'web',
  summary: "Screenshot of the page into the run's artifacts",
  params: z.strictObject({ name: nonEmpty(200, 'a file name').optional(), full_page: bool().default(false) }),
  idempotent: true,
  mutating: false,
  results: ['artifact'],
});

export const captureDomSchema = defineActionSpec({
  name: 'capture_dom_schema',
  family: 'web',
  summary: "Record the page's form fields, buttons and labels as JSON",
  params: z.strictObject({ screenshot }),
  idempotent: true,
  mutating: false,
});

export const WEB_ACTION_SPECS = [
  openBrowser,
  fillByLabel,
  clickByText,
  waitForSelector,
  waitForElement,
  assertElement,
  assertText,
  uploadFile,
  downloadFile,
  waitForDownload,
  takeScreenshot,
  captureDomSchema,
] as const;

