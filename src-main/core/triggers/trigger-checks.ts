import type { Issue } from '@shared/contract/errors';
import { validationError } from '../kernel/errors';
import type { Clock } from '../kernel/ports';
import type { TriggerModulePorts } from './ports';
import { DAY_MS, HOUR_MS } from '../kernel/clock';

/**
 * What the three trigger modules (schedules, watchers, webhooks) share when a trigger is saved
 * through the API, and the pruning of their history.
 */


/** The template and queue a trigger names must exist. */
export function referenceIssues(o: Pick<TriggerModulePorts, 'templateExists' | 'queueNames'>, t: { template: string; queue: string }): Issue[] {
  const issues: Issue[] = [];
  if (!o.templateExists(t.template)) issues.push({ path: 'template', message: `no template named '${t.template}'` });
  const queues = o.queueNames();
  if (!queues.includes(t.queue)) issues.push({ path: 'queue', message: `no queue named '${t.queue}' (queues: ${queues.join(', ')})` });
  return issues;
}

/** Every problem of a trigger at once, by field (the view shows them at the field). */
export function rejectIssues(what: string, id: string, issues: Issue[]): void {
  if (issues.length) throw validationError(`${what} '${id}' is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/** The fields an API input gave (undefined ones are not written to the file). */
export const definedFields = (v: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));

/** History older than 30 days goes: a minute after start, then hourly. Returns the stop. */
export function pruneHourly(clock: Clock, pruneBefore: (time: number) => void): () => void {
  let timer = clock.setTimer(60_000, function prune() {
    pruneBefore(clock.now() - 30 * DAY_MS);
    timer = clock.setTimer(HOUR_MS, prune);
  });
  return () => timer.cancel();
}
