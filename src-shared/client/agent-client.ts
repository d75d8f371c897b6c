import { CONTRACT, type Input, type Output, type ProcedureName } from '../contract';
import type { Envelope, ErrorBody } from '../contract/errors';
import type { AgentEvent } from '../contract/events';
import type { HttpMethod } from '../contract/procedure';

/** The state of the live event stream, as the header shows it. */
export type LiveState = 'connecting' | 'live' | 'offline' | 'unauthenticated' | 'forbidden';

export interface EventHandlers {
  event(event: AgentEvent): void;
  state(state: LiveState, error?: ErrorBody): void;
}

/**
 * One way to reach the core, provided by each host: Electron IPC or HTTP + SSE for the renderer,
 * HTTP or an in-process dispatcher for the CLI. Transports never throw.
 */
export interface Transport {
  readonly kind: 'ipc' | 'http' | 'in-process';
  call(name: ProcedureName, input: unknown): Promise<Envelope<unknown>>;
  subscribe(handlers: EventHandlers): () => void;
}

/** A refused or failed call, with the dispatcher's code, message and details. */
export class AgentError extends Error {
  readonly code: string;
  readonly details: unknown;
  constructor(error: ErrorBody) {
    super(error.message);
    this.name = 'AgentError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** The one typed client of the contract, for the renderer and the CLI. */
export interface AgentClient {
  readonly transport: Transport['kind'];
  /** Whether this version of the core has the procedure at all. */
  has(name: string): name is ProcedureName;
  /** The procedure bound to a REST method and path of SPEC section 12, if this version has one. */
  find(method: HttpMethod, path: string): ProcedureName | undefined;
  /** The envelope as the dispatcher answered it; never throws. */
  call<N extends ProcedureName>(name: N, input: Input<N>): Promise<Envelope<Output<N>>>;
  /** The data, or an AgentError carrying code, message and details. */
  invoke<N extends ProcedureName>(name: N, input: Input<N>): Promise<Output<N>>;
  subscribe(handlers: EventHandlers): () => void;
  /** Hears every refused or failed call (the session store learns of an ended session this way). */
  onRefused(listener: (name: ProcedureName, error: ErrorBody) => void): () => void;
}

const byBinding = new Map(Object.values(CONTRACT).map((p) => [`${p.http.method} ${p.http.path}`, p.name as ProcedureName]));

export function liveStateOf(error: ErrorBody): LiveState {
  if (error.code === 'UNAUTHENTICATED') return 'unauthenticated';
  if (error.code === 'FORBIDDEN') return 'forbidden';
  return 'offline';
}

export function createClient(transport: Transport): AgentClient {
  const refusedListeners = new Set<(name: ProcedureName, error: ErrorBody) => void>();
  const has = (name: string): name is ProcedureName => Object.hasOwn(CONTRACT, name);
  const call = async <N extends ProcedureName>(name: N, input: Input<N>): Promise<Envelope<Output<N>>> => {
    if (!has(name)) return { ok: false, error: { code: 'UNKNOWN_PROCEDURE', message: `Unknown procedure '${String(name)}'` } };
    const answer = (await transport.call(name, input)) as Envelope<Output<N>>;
    if (!answer.ok) for (const listener of refusedListeners) listener(name, answer.error);
    return answer;
  };
  return {
    transport: transport.kind,
    has,
    find: (method, path) => byBinding.get(`${method} ${path}`),
    call,
    async invoke(name, input) {
      const r = await call(name, input);
      if (!r.ok) throw new AgentError(r.error);
      return r.data;
    },
    subscribe: (handlers) => transport.subscribe(handlers),
    onRefused(listener) {
      refusedListeners.add(listener);
      return () => void refusedListeners.delete(listener);
    },
  };
}
