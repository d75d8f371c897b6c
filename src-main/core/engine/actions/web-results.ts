import type { Page } from 'playwright-core';
import { ActionError, type ActionContext, type ActionResult } from '../action-types';
import { describe, locateClickTarget, type Located } from '../web/click-resolver';
import { frameOf, type FoundField } from '../web/field-resolver';
import { DEFAULT_ELEMENT_TIMEOUT_MS } from '@shared/dsl/actions/web-params';
import { compact } from '../web/web-step';
import type { NamedContext, WebSession } from '../web/web-session';

/** What the web actions share: waits, the results they report, and dry-run lookups of their targets (web.ts). */

const DRY_RUN_LOOKUP_MS = 2_000;

export const elementWait = (p: { timeout_ms?: number }) => p.timeout_ms ?? DEFAULT_ELEMENT_TIMEOUT_MS;
export const chars = (text: string) => [...text].length;

/** In a dry run after a skipped page change, checks cannot be judged: say so instead. */
export function unverifiable(ctx: ActionContext, session: WebSession): ActionResult | undefined {
  if (!ctx.dryRun || !session.skippedInDryRun) return undefined;
  return { checked: false, dry_run: `not checked: the page differs from a real run because ${session.skippedInDryRun} was not performed` };
}

export function fieldResult(page: Page, label: string, found: FoundField): ActionResult {
  const { match, field } = found;
  return compact({
    label,
    matched_label: match.matchedLabel,
    strategy: match.strategy,
    match: match.match,
    synonym: match.term !== label ? match.term : undefined,
    field: compact({ tag: field.tag, type: field.type || undefined, name: field.name || undefined }),
    frame: frameOf(page, found.frame),
    shadow: field.shadow || undefined,
  });
}

/** Dry-run lookups: a field or button that should be there must be; after a skipped page change it may not be. */
export function lookupBudget(ctx: ActionContext, session: WebSession, wanted: number): number {
  return session.skippedInDryRun ? Math.min(wanted, DRY_RUN_LOOKUP_MS) : wanted;
}

export function clickResult(named: NamedContext, located: Located, element: { tag: string; role?: string }): ActionResult {
  return compact({
    strategy: located.target.strategy,
    matches: located.target.matches,
    element,
    frame: frameOf(named.page, located.target.frame),
    recovery: located.recovery,
    recovery_skipped: located.recoverySkipped,
    attempts: located.attempts,
  });
}

export async function dryRunClick(ctx: ActionContext, session: WebSession, named: NamedContext, what: string, text: string, role: string | undefined, wait: number): Promise<ActionResult> {
  const diverged = session.skippedInDryRun;
  session.skippedInDryRun ??= `step ${ctx.stepIndex} (${what} '${text}')`;
  try {
    const located = await locateClickTarget(ctx, named.page, {
      text,
      role,
      timeoutMs: diverged ? Math.min(wait, DRY_RUN_LOOKUP_MS) : wait,
      navigationTimeoutMs: ctx.config.web.navigation_timeout_ms,
      allowReload: false,
      action: what,
    });
    return { found: true, text, ...clickResult(named, located, await describe(located.target.locator)) };
  } catch (e) {
    if (!diverged || !(e instanceof ActionError) || e.code !== 'WEB_ELEMENT_NOT_FOUND') throw e;
    return { found: false, text, dry_run: `not looked up: the page differs from a real run because ${diverged} was not performed` };
  }
}
