import type { ElementHandle, Frame, JSHandle, Page } from 'playwright-core';
import { ActionError, type ActionContext } from '../action-types';
import { pollUntil } from '../action-polling';
import { labelCandidates, normalizeLabel } from './label-synonyms';
import { LABEL_STRATEGIES, scanFieldsScript, type FieldKind, type LabelStrategy, type ScannedField } from './page-scripts';

/**
 * fill_by_label and upload_file find their field here. Every frame (iframes included) and every
 * open shadow root is scanned for fields and the texts that label them; then, in this order:
 *   exact match before partial (the form's label contains the word),
 *   the template's own word before its synonyms (label-synonyms.ts),
 *   <label> (for= or wrapping) > aria-labelledby > aria-label > title > placeholder > nearby text.
 * The first visible, enabled field wins (document order, main frame first).
 */

export interface FrameScan {
  frameIndex: number;
  fields: ScannedField[];
}

export interface FieldMatch {
  frameIndex: number;
  index: number;
  strategy: LabelStrategy;
  /** The text on the page that matched. */
  matchedLabel: string;
  /** The word that matched it: the template's label or one of its synonyms. */
  term: string;
  match: 'exact' | 'partial';
  /** How many eligible fields matched at that rank (the first is used). */
  candidates: number;
}

const eligible = (f: ScannedField, kind: FieldKind) => !f.disabled && (kind === 'file' || f.visible);

export function matchField(scans: FrameScan[], label: string, kind: FieldKind): FieldMatch | undefined {
  const terms = labelCandidates(label);
  for (const match of ['exact', 'partial'] as const) {
    for (const term of terms) {
      const wanted = normalizeLabel(term);
      // A one-character word (姓, 名) would be inside too many labels to match partially.
      if (!wanted || (match === 'partial' && [...wanted].length < 2)) continue;
      for (const strategy of LABEL_STRATEGIES) {
        const hits: Omit<FieldMatch, 'candidates'>[] = [];
        for (const scan of scans) {
          scan.fields.forEach((f, index) => {
            if (!eligible(f, kind)) return;
            const source = f.sources.find((s) => {
              if (s.strategy !== strategy) return false;
              const have = normalizeLabel(s.text);
              return match === 'exact' ? have === wanted : have.includes(wanted);
            });
            if (source) hits.push({ frameIndex: scan.frameIndex, index, strategy, matchedLabel: source.text, term, match });
          });
        }
        if (hits.length) return { ...hits[0], candidates: hits.length };
      }
    }
  }
  return undefined;
}

/** The label texts of the eligible fields, for the error when nothing matched. */
export function labelsFound(scans: FrameScan[], kind: FieldKind): string[] {
  const out = new Set<string>();
  for (const scan of scans) {
    for (const f of scan.fields) {
      if (!eligible(f, kind)) continue;
      out.add(f.sources[0]?.text ?? (f.name ? `(no label; name=${f.name})` : `(no label; ${f.tag})`));
    }
  }
  return [...out];
}

export interface FoundField {
  element: ElementHandle;
  frame: Frame;
  field: ScannedField;
  match: FieldMatch;
}

type ScanHandle = JSHandle<{ fields: ScannedField[]; els: unknown[] }>;

async function scanFrames(page: Page, kind: FieldKind): Promise<{ scans: FrameScan[]; handles: ScanHandle[]; frames: Frame[] }> {
  const frames = page.frames();
  const scans: FrameScan[] = [];
  const handles: ScanHandle[] = [];
  for (const [frameIndex, frame] of frames.entries()) {
    try {
      const handle = (await frame.evaluateHandle(scanFieldsScript(kind))) as ScanHandle;
      handles[frameIndex] = handle;
      scans.push({ frameIndex, fields: await handle.evaluate((r) => r.fields) });
    } catch {
      // A frame that is navigating or detached has no fields right now; the next poll sees it again.
    }
  }
  return { scans, handles, frames };
}

/** Polls until a field matches `label` or the time is up; the error lists the labels that were on the page. */
export async function findField(ctx: ActionContext, page: Page, label: string, kind: FieldKind, timeoutMs: number, action: string): Promise<FoundField> {
  let lastScans: FrameScan[] = [];
  const polled = await pollUntil(ctx, timeoutMs, async () => {
    const { scans, handles, frames } = await scanFrames(page, kind);
    lastScans = scans;
    try {
      const match = matchField(scans, label, kind);
      if (!match) return undefined;
      const element = (await handles[match.frameIndex].evaluateHandle((r, i) => r.els[i], match.index)).asElement();
      if (!element) return undefined;
      const field = scans.find((s) => s.frameIndex === match.frameIndex)!.fields[match.index];
      return { element, frame: frames[match.frameIndex], field, match };
    } finally {
      await Promise.all(handles.filter(Boolean).map((h) => h.dispose().catch(() => undefined)));
    }
  });
  if (polled.value) return polled.value;
  const found = labelsFound(lastScans, kind);
  const what = kind === 'file' ? 'file input' : 'input field';
  const tried = labelCandidates(label);
  throw new ActionError(
    'WEB_ELEMENT_NOT_FOUND',
    `${action}: no ${what} labelled '${label}' on ${page.url()} after ${timeoutMs} ms (tried: ${tried.join(', ')}). ` +
      (found.length ? `Labels found: ${found.join(', ')}` : `No ${what}s were found on the page.`),
    false,
    { label, tried, labels_found: found, url: page.url() },
  );
}

/** Where a match was found, for results: the frame's URL when it is not the main frame. */
export function frameOf(page: Page, frame: Frame): string | undefined {
  return frame === page.mainFrame() ? undefined : frame.url();
}
