import type { Frame, Locator, Page } from 'playwright-core';
import { ActionError, type ActionContext } from '../action-types';
import { pollUntil } from '../action-polling';
import { clickableNames, visibleIn, type AriaRole } from './element-query';

/**
 * click_by_text finds its target here, in three tiers (the first tier with a visible match wins):
 *   exact-text — an element whose visible text is exactly `text` (of `role`, when given);
 *   role-name  — an element of `role` (or any clickable role) whose accessible name is exactly
 *                `text` (aria-label, <input type=submit value>, alt text of an image link...);
 *   partial    — the accessible name, then the visible text, contains `text` (case-insensitive).
 */

export const CLICKABLE_ROLES = ['button', 'link', 'menuitem', 'tab', 'checkbox', 'radio', 'option', 'switch', 'treeitem'] as const;
export type ClickStrategy = 'exact-text' | 'role-name' | 'partial';

function anyOf(locators: Locator[]): Locator {
  return locators.reduce((a, b) => a.or(b));
}

export function clickTiers(text: string, role: string | undefined): { strategy: ClickStrategy; make: (frame: Frame) => Locator }[] {
  const roles = (role ? [role] : [...CLICKABLE_ROLES]) as AriaRole[];
  return [
    {
      strategy: 'exact-text',
      make: (f) => (role ? f.getByText(text, { exact: true }).and(f.getByRole(role as AriaRole)) : f.getByText(text, { exact: true })),
    },
    { strategy: 'role-name', make: (f) => anyOf(roles.map((r) => f.getByRole(r, { name: text, exact: true }))) },
    {
      strategy: 'partial',
      make: (f) => anyOf([...roles.map((r) => f.getByRole(r, { name: text })), ...(role ? [] : [f.getByText(text)])]),
    },
  ];
}

export interface ClickTarget {
  locator: Locator;
  frame: Frame;
  strategy: ClickStrategy;
  /** Visible matches at the winning tier (the first is clicked). */
  matches: number;
}

async function locate(page: Page, text: string, role: string | undefined): Promise<ClickTarget | undefined> {
  for (const tier of clickTiers(text, role)) {
    const hits = await visibleIn(page, tier.make);
    if (hits.length) return { locator: hits[0].locator.first(), frame: hits[0].frame, strategy: tier.strategy, matches: hits.reduce((n, h) => n + h.count, 0) };
  }
  return undefined;
}

export interface Located {
  target: ClickTarget;
  /** 'reload' when the target appeared only after the page was reloaded once. */
  recovery?: 'reload';
  attempts: number;
  /** Why no reload was tried (a page that is the result of a form POST is not reloaded). */
  recoverySkipped?: string;
}

/**
 * Polls for the target; if it does not appear, reloads the page once and polls again (a stale
 * or half-loaded page is the common cause). A page that a POST produced is never reloaded: that
 * would send the form again.
 */
export async function locateClickTarget(
  ctx: ActionContext,
  page: Page,
  opts: { text: string; role?: string; timeoutMs: number; navigationTimeoutMs: number; allowReload: boolean; lastMethod?: string; action: string },
): Promise<Located> {
  const first = await pollUntil(ctx, opts.timeoutMs, () => locate(page, opts.text, opts.role));
  if (first.value) return { target: first.value, attempts: 1 };
  let recoverySkipped: string | undefined;
  if (!opts.allowReload) recoverySkipped = 'dry run';
  else if (opts.lastMethod && opts.lastMethod !== 'GET') recoverySkipped = `the page is the result of a ${opts.lastMethod}; reloading would send it again`;
  if (!recoverySkipped) {
    await page.reload({ waitUntil: 'load', timeout: opts.navigationTimeoutMs });
    const second = await pollUntil(ctx, opts.timeoutMs, () => locate(page, opts.text, opts.role));
    if (second.value) return { target: second.value, recovery: 'reload', attempts: 2 };
  }
  const names = await clickableNames(page).catch(() => []);
  const attempts = recoverySkipped ? `(no reload: ${recoverySkipped})` : 'after 2 attempts (reloaded once)';
  throw new ActionError(
    'WEB_ELEMENT_NOT_FOUND',
    `${opts.action}: no clickable element with text '${opts.text}'${opts.role ? ` and role ${opts.role}` : ''} on ${page.url()} ${attempts}, waiting ${opts.timeoutMs} ms each. ` +
      (names.length ? `Buttons and links found: ${names.join(', ')}` : 'No buttons or links were found on the page.'),
    false,
    { text: opts.text, role: opts.role, url: page.url(), clickable_found: names, recovery_skipped: recoverySkipped },
  );
}

/** Describes the clicked element for the result (tag, role attribute, visible name). */
export async function describe(locator: Locator): Promise<{ tag: string; role?: string }> {
  return locator.evaluate((el: { tagName: string; getAttribute(name: string): string | null }) => {
    const role = el.getAttribute('role');
    return role ? { tag: el.tagName.toLowerCase(), role } : { tag: el.tagName.toLowerCase() };
  });
}
