import { z } from 'zod';

/**
 * Params of the web actions (SPEC section 3), with exactly the SPEC's names. Plain TS shared by the
 * validator (src-shared/dsl/actions/web.ts) and, through those specs, the implementations
 * (src-main/core/engine/actions/web.ts). Extras beyond the SPEC, each optional:
 * - `screenshot: true` on every action that works on a page: the runner keeps a screenshot of
 *   what the robot saw after the step (it always does after a failed one);
 * - `timeout_ms` on every action that waits for an element (SPEC gives it to wait_for_selector
 *   and wait_for_element; the others wait up to DEFAULT_ELEMENT_TIMEOUT_MS, also bounded by the
 *   step's own timeout through the abort signal); on open_browser it is the navigation timeout
 *   (default web.navigation_timeout_ms), so a slow page fails with its URL and the time;
 * - `download_file.url` / `download_file.text` (+ `role`): what to download (a URL fetched with
 *   the context's cookies, or a link or button clicked by its text); `wait_for_download` takes
 *   the download a previous step started;
 * - `take_screenshot.full_page`: the whole scrollable page instead of the viewport.
 */

export const DEFAULT_ELEMENT_TIMEOUT_MS = 10_000;

const screenshot = z.boolean().optional();
const timeoutMs = z.number().int().min(0).max(3_600_000).optional();
const nonEmpty = (what: string) => z.string().min(1, `${what} must not be empty`);
/** ARIA roles as Playwright's getByRole takes them (button, link, textbox, checkbox, ...). */
const role = z
  .string()
  .regex(/^[a-z]+$/, 'role is an ARIA role in lower case, e.g. button, link, textbox, heading')
  .optional();

export const openBrowserParams = z.strictObject({
  screenshot,
  url: z.string().min(1, 'url must not be empty'),
  /** A named browser context (cookies, storage) kept for the rest of the run. */
  context: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'context names use letters, digits, _, . and -').default('default'),
  /** Show the window (needs a display); default: orchestrator.yaml web.headless. */
  visible: z.boolean().optional(),
  /** How long the page may take to load; default: orchestrator.yaml web.navigation_timeout_ms. */
  timeout_ms: timeoutMs,
});

export const fillByLabelParams = z.strictObject({
  screenshot,
  label: nonEmpty('label'),
  text: z.string(),
  timeout_ms: timeoutMs,
});

export const clickByTextParams = z.strictObject({
  screenshot,
  text: nonEmpty('text'),
  role,
  timeout_ms: timeoutMs,
});

export const waitForSelectorParams = z.strictObject({
  screenshot,
  selector: nonEmpty('selector'),
  timeout_ms: timeoutMs,
});

export const waitForElementParams = z
  .strictObject({ screenshot, text: z.string().min(1).optional(), role, timeout_ms: timeoutMs })
  .refine((p) => p.text !== undefined || p.role !== undefined, { message: 'wait_for_element needs text, role or both' });

export const assertElementParams = z
  .strictObject({
    screenshot,
    text: z.string().min(1).optional(),
    role,
    count_gte: z.number().int().min(0).default(1),
    timeout_ms: timeoutMs,
  })
  .refine((p) => p.text !== undefined || p.role !== undefined, { message: 'assert_element needs text, role or both' });

export const assertTextParams = z.strictObject({
  screenshot,
  contains: nonEmpty('contains'),
  timeout_ms: timeoutMs,
});

export const uploadFileParams = z
  .strictObject({
    screenshot,
    path: nonEmpty('path'),
    selector: z.string().min(1).optional(),
    label: z.string().min(1).optional(),
    timeout_ms: timeoutMs,
  })
  .refine((p) => (p.selector === undefined) !== (p.label === undefined), { message: 'upload_file needs exactly one of selector or label' });

export const downloadFileParams = z
  .strictObject({
    screenshot,
    /** A file path, or a directory (existing, or ending in a slash) to keep the server's file name; omitted: the run's artifacts. */
    to: z.string().min(1).optional(),
    url: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    role,
    timeout_ms: timeoutMs,
  })
  .refine((p) => (p.url === undefined) !== (p.text === undefined), {
    message: 'download_file needs exactly one of url (fetched with the browser context\'s cookies) or text (a link or button to click); to save a download a previous click started, use wait_for_download',
  });

export const waitForDownloadParams = z.strictObject({
  screenshot,
  to: z.string().min(1).optional(),
  timeout_ms: timeoutMs,
});

export const takeScreenshotParams = z.strictObject({
  name: z.string().regex(/^[^/\\]{1,100}$/, 'name is a file name without / or \\').optional(),
  full_page: z.boolean().default(false),
});

export const captureDomSchemaParams = z.strictObject({});

export type OpenBrowserParams = z.output<typeof openBrowserParams>;
export type FillByLabelParams = z.output<typeof fillByLabelParams>;
export type ClickByTextParams = z.output<typeof clickByTextParams>;
export type UploadFileParams = z.output<typeof uploadFileParams>;
export type DownloadFileParams = z.output<typeof downloadFileParams>;
