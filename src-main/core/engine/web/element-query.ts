import type { Frame, Locator, Page } from 'playwright-core';
import { ActionError } from '../action-types';
import { DOM_SCHEMA_SCRIPT, PAGE_TEXT_SCRIPT, type SchemaElement } from './page-scripts';

/**
 * Element lookups across every frame of a page. Playwright locators already pierce open shadow
 * roots; frames are visited one by one (main frame first).
 */

export type AriaRole = Parameters<Frame['getByRole']>[0];

export interface FrameHit {
  frame: Frame;
  locator: Locator;
  count: number;
}

/** Visible elements matching `make(frame)` in each frame that has any. */
export async function visibleIn(page: Page, make: (frame: Frame) => Locator): Promise<FrameHit[]> {
  const hits: FrameHit[] = [];
  for (const frame of page.frames()) {
    try {
      const locator = make(frame).filter({ visible: true });
      const count = await locator.count();
      if (count > 0) hits.push({ frame, locator, count });
    } catch (e) {
      if (isSelectorError(e)) throw e;
      // A detached or navigating frame has nothing to offer right now.
    }
  }
  return hits;
}

export function isSelectorError(e: unknown): boolean {
  return e instanceof Error && /(Unexpected token|is not a valid selector|Unknown engine|Malformed|Unsupported token)/i.test(e.message);
}

/** Elements by text and/or role: role+accessible name when a role is given, else visible text (substring). */
export function textOrRole(text: string | undefined, role: string | undefined): (frame: Frame) => Locator {
  return (frame) => (role ? frame.getByRole(role as AriaRole, text === undefined ? {} : { name: text }) : frame.getByText(text ?? ''));
}

export function total(hits: FrameHit[]): number {
  return hits.reduce((n, h) => n + h.count, 0);
}

/** The rendered text of every frame (shadow roots included), whitespace collapsed. */
export async function pageText(page: Page): Promise<string> {
  const parts: string[] = [];
  for (const frame of page.frames()) {
    try {
      parts.push(String(await frame.evaluate(PAGE_TEXT_SCRIPT)));
    } catch {
      // Frames that are navigating are read on the next poll.
    }
  }
  return collapse(parts.join('\n'));
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface FrameSchema {
  url: string;
  name: string;
  elements: SchemaElement[];
}

/** The interactive elements of every frame (see DOM_SCHEMA_SCRIPT). */
export async function domSchema(page: Page): Promise<FrameSchema[]> {
  const out: FrameSchema[] = [];
  for (const frame of page.frames()) {
    try {
      out.push({ url: frame.url(), name: frame.name(), elements: (await frame.evaluate(DOM_SCHEMA_SCRIPT)) as SchemaElement[] });
    } catch {
      // A frame that went away while we read it is left out.
    }
  }
  return out;
}

/** Names of visible buttons and links, for "not found" errors. */
export async function clickableNames(page: Page, limit = 30): Promise<string[]> {
  const names = new Set<string>();
  for (const frame of await domSchema(page)) {
    for (const el of frame.elements) if (el.visible && el.name && ['button', 'link', 'menuitem', 'tab'].includes(el.role)) names.add(el.name);
  }
  return [...names].slice(0, limit);
}

export function invalidSelector(action: string, selector: string, e: unknown): ActionError {
  return new ActionError('INVALID_SELECTOR', `${action}: '${selector}' is not a valid selector (${(e as Error).message.split('\n')[0]})`, false, { selector });
}
