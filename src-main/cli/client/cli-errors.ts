import { statusOf, type ErrorBody, type Issue } from '@shared/contract/errors';
import { EXIT } from '../io';

/** The dispatcher's error as one readable line, plus every listed problem. */
export function describeError(e: ErrorBody): string {
  const issues = (e.details as { issues?: Issue[] } | undefined)?.issues?.map((i) => `\n  ${i.path}: ${i.message}`).join('') ?? '';
  // From a terminal, "sign in" means giving the CLI credentials: say how.
  const hint = e.code === 'UNAUTHENTICATED' ? '\n  Give DESKTOP_AGENT_TOKEN=<api token>, or --user NAME --password-stdin.' : '';
  return `${e.message} (${e.code}, HTTP ${statusOf(e.code)})${issues}${hint}`;
}

/** 2 for what the caller got wrong (bad input, an unknown name), 1 for everything else. */
export function exitCodeOf(e: ErrorBody): number {
  const status = statusOf(e.code);
  return status === 400 || status === 404 ? EXIT.invalid : EXIT.failed;
}
