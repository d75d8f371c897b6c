import type { Envelope, ErrorBody } from './errors';
import type { AgentEvent } from './events';

/**
 * The Electron IPC surface: two channels, both typed from the contract.
 * - `agent:invoke` (renderer → main, invoke/handle): `(name, input)` → the dispatcher's envelope.
 * - `agent:events` (renderer → main `{subscribe}`; main → renderer `EventsMessage`).
 */
export const IPC_INVOKE = 'agent:invoke';
export const IPC_EVENTS = 'agent:events';

/** What the renderer sends on the events channel. */
export interface EventsRequest {
  subscribe: boolean;
}

/** What main sends on the events channel: the access decision for the window, then events. */
export type EventsMessage =
  | { kind: 'status'; live: true }
  | { kind: 'status'; live: false; error: ErrorBody }
  | { kind: 'event'; event: AgentEvent };

/**
 * `window.agent`, exposed by the preload with contextBridge. Nothing else of Electron or Node
 * reaches the page. Session tokens stay in main: `auth.login` answers without its `token`.
 */
export interface AgentApi {
  invoke(name: string, input: unknown): Promise<Envelope<unknown>>;
  /** Starts receiving events-channel messages; returns the function that stops it. */
  subscribe(listener: (message: EventsMessage) => void): () => void;
}
