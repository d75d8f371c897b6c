import type { NewRun } from '../src-main/core/runs';

/** A queued run as the queue would insert it, for the runs storage tests (both backends). */
export function newRun(id: string, o: { at: number; queue?: string; priority?: number; tag?: string; key?: string }): NewRun {
  return {
    id,
    template: 'conformance',
    templateHash: 'hash-1',
    templateYaml: 'name: conformance\nsteps: []\n',
    variables: { n: id },
    trigger: 'api',
    requestedBy: 'tester',
    dryRun: false,
    queue: o.queue ?? 'q',
    priority: o.priority ?? 5,
    concurrencyTag: o.tag ?? null,
    idempotencyKey: o.key ?? null,
    status: 'queued',
    now: o.at,
  };
}
