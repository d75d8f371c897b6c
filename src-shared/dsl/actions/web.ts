import { defineActionSpec } from '../action-spec';
import { clickRisk } from './click-risk';
import {
  assertElementParams,
  assertTextParams,
  captureDomSchemaParams,
  clickByTextParams,
  downloadFileParams,
  fillByLabelParams,
  openBrowserParams,
  takeScreenshotParams,
  uploadFileParams,
  waitForDownloadParams,
  waitForElementParams,
  waitForSelectorParams,
} from './web-params';

/**
 * Web actions (Playwright, SPEC section 3): what validation and the pre-run risk check know. The
 * implementations are `webActions` in src-main/core/engine/actions/web.ts, built on the same
 * schemas (web-params.ts). Results are open (pages differ), so references to them are checked at
 * run time.
 */

export const openBrowser = defineActionSpec({
  name: 'open_browser',
  family: 'web',
  summary: 'Opens a URL in a named browser context that later steps of the run share',
  params: openBrowserParams,
  idempotent: true,
  mutating: false,
});

export const fillByLabel = defineActionSpec({
  name: 'fill_by_label',
  family: 'web',
  summary: 'Types text into the field with this label (label, aria, placeholder or nearby text; Japanese/English synonyms)',
  params: fillByLabelParams,
  idempotent: true,
  // Typing into a live form can already send things (autosave, availability checks), and a
  // dry run must never type a secret: so filling counts as a change.
  mutating: true,
});

export const clickByText = defineActionSpec({
  name: 'click_by_text',
  family: 'web',
  summary: 'Clicks the button or link with this text (exact text, then role and name, then partial; one reload and retry)',
  params: clickByTextParams,
  idempotent: false,
  mutating: true,
  risk: (p) => clickRisk(p.text),
});

export const waitForSelector = defineActionSpec({
  name: 'wait_for_selector',
  family: 'web',
  summary: 'Waits until an element matching a CSS selector is visible (any frame, shadow roots included)',
  params: waitForSelectorParams,
  idempotent: true,
  mutating: false,
});

export const waitForElement = defineActionSpec({
  name: 'wait_for_element',
  family: 'web',
  summary: 'Waits until an element with this text and/or role is visible',
  params: waitForElementParams,
  idempotent: true,
  mutating: false,
});

export const assertElement = defineActionSpec({
  name: 'assert_element',
  family: 'web',
  summary: 'Fails unless at least count_gte visible elements have this text and/or role',
  params: assertElementParams,
  idempotent: true,
  mutating: false,
});

export const assertText = defineActionSpec({
  name: 'assert_text',
  family: 'web',
  summary: 'Fails unless the page (all frames, shadow roots included) shows this text',
  params: assertTextParams,
  idempotent: true,
  mutating: false,
});

export const uploadFile = defineActionSpec({
  name: 'upload_file',
  family: 'web',
  summary: 'Puts a local file into a file input (by selector or label)',
  params: uploadFileParams,
  idempotent: false,
  // Many upload widgets send the file as soon as it is chosen.
  mutating: true,
  risk: (p) => ({ level: 'medium', reason: `sends the local file ${p.path} to a web site` }),
});

export const downloadFile = defineActionSpec({
  name: 'download_file',
  family: 'web',
  summary: "Downloads a file (a URL with the browser's cookies, or by clicking a link) into the run's artifacts or to `to`",
  params: downloadFileParams,
  idempotent: true,
  // It writes `to` (which may replace a file), and the link it clicks is a click.
  mutating: true,
});

export const waitForDownload = defineActionSpec({
  name: 'wait_for_download',
  family: 'web',
  summary: "Waits for a download an earlier step started and keeps it in the run's artifacts or at `to`",
  params: waitForDownloadParams,
  idempotent: false,
  mutating: true,
});

export const takeScreenshot = defineActionSpec({
  name: 'take_screenshot',
  family: 'web',
  summary: 'Stores a PNG of the current page as an artifact',
  params: takeScreenshotParams,
  idempotent: true,
  mutating: false,
});

export const captureDomSchema = defineActionSpec({
  name: 'capture_dom_schema',
  family: 'web',
  summary: 'Stores the interactive elements of the page (roles, names, labels; never values) as a JSON artifact',
  params: captureDomSchemaParams,
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
