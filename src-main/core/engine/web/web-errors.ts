import { ActionError } from '../action-types';
import { cancelled } from '../action-polling';

/** Replaces every occurrence of the typed text (possibly a secret) so it cannot reach a result or log. */
export function scrub(message: string, typed?: string): string {
  return typed ? message.split(typed).join('***') : message;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/^\w+\.\w+: /, '');
}

/**
 * Turns whatever a Playwright call threw into an ActionError with a code the retry policy and
 * failure clusters read. `typed` is text the step typed: it is scrubbed from the message.
 */
export function toActionError(e: unknown, signal: AbortSignal, action: string, typed?: string): ActionError {
  if (e instanceof ActionError) {
    return typed && e.message.includes(typed) ? new ActionError(e.code, scrub(e.message, typed), e.retryable, e.details) : e;
  }
  if (signal.aborted) return cancelled(signal);
  const err = e as Error;
  const message = scrub(firstLine(err?.message ?? String(e)), typed);
  if (/Target page, context or browser has been closed|Browser has been closed|browser has disconnected/i.test(message)) {
    return new ActionError('WEB_BROWSER_CLOSED', `${action}: the browser was closed while the step ran (${message})`, true);
  }
  if (err?.name === 'TimeoutError') return new ActionError('WEB_TIMEOUT', `${action}: ${message}`, true);
  return new ActionError('WEB_ACTION_FAILED', `${action}: ${message}`, false);
}
