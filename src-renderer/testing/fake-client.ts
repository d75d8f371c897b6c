import type { ProcedureName } from '@shared/contract';
import type { Envelope, ErrorBody } from '@shared/contract/errors';
import type { AgentEvent, EventType } from '@shared/contract/events';
import { createClient, type EventHandlers, type Transport } from '@shared/client/agent-client';

/** Test support for the stores (imported by *.test.ts only; never by the app). */

export type Answer = (input: Record<string, unknown>) => Envelope<unknown> | Promise<Envelope<unknown>>;

/**
 * A client over a transport that answers from a table of procedures (anything else: INTERNAL),
 * recording each call and each event subscription (with whether it was closed).
 */
export function fakeClient(answers: Partial<Record<ProcedureName, Answer>>, kind: Transport['kind'] = 'http') {
  const calls: [string, Record<string, unknown>][] = [];
  const subscriptions: { handlers: EventHandlers; closed: boolean }[] = [];
  const transport: Transport = {
    kind,
    call: async (name, input) => {
      calls.push([name, input as Record<string, unknown>]);
      const answer = answers[name];
      return answer ? answer(input as Record<string, unknown>) : { ok: false, error: { code: 'INTERNAL', message: `no answer for ${name}` } };
    },
    subscribe(handlers) {
      const s = { handlers, closed: false };
      subscriptions.push(s);
      return () => void (s.closed = true);
    },
  };
  return {
    client: createClient(transport),
    calls,
    subscriptions,
    names: () => calls.map((c) => c[0]),
    named: (n: string) => calls.filter((c) => c[0] === n),
  };
}

export const ok = (data: unknown): Envelope<unknown> => ({ ok: true, data });
export const fail = (code: string, message: string, details?: unknown): Envelope<unknown> => ({ ok: false, error: { code, message, ...(details === undefined ? {} : { details }) } as ErrorBody });
export const event = (type: EventType, data: Record<string, unknown>, at = '2026-01-01T00:00:00.000Z'): AgentEvent => ({ seq: 1, type, at, data }) as AgentEvent;
