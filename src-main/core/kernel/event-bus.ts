import { EVENT_SCHEMAS, type AgentEvent, type EventData, type EventType } from '@shared/contract/events';
import { isoAt } from './clock';
import type { Logger } from './ports';

/** Hears every event (SSE, the IPC event channel, the desk notices). */
export type EventListener = (event: AgentEvent) => void;
/** Hears one event name, with that name's payload type. */
export type TypedListener<T extends EventType> = (event: AgentEvent<T>) => void;

/**
 * The in-process event bus behind SSE and the IPC event channel, typed per event name by
 * `EVENT_SCHEMAS`: publishing or subscribing an unknown name, or publishing a payload that does not
 * match its name, is a type error. Publishing is synchronous and cheap; a listener that throws is
 * isolated from the others and its error is logged with the event's name. A short ring buffer lets
 * SSE clients resume from Last-Event-ID after a reconnect.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly recent: AgentEvent[] = [];

  constructor(
    private readonly now: () => number,
    private readonly redact: <T>(v: T) => T = (v) => v,
    /** Where a listener's error goes; without one it is written to stderr (never dropped). */
    private readonly logger?: Pick<Logger, 'error'>,
    private readonly keep = 500,
  ) {}

  publish<T extends EventType>(type: T, data: EventData<T>): AgentEvent<T> {
    if (!(type in EVENT_SCHEMAS)) throw new Error(`Unknown event type '${type}'`);
    // The conditional type AgentEvent<T> cannot be built from a generic T without this one assertion.
    const event = { seq: ++this.seq, type, at: isoAt(this.now()), data: this.redact(data) } as AgentEvent<T>;
    this.recent.push(event);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (error) {
        // One broken subscriber must not stop the others or the publisher, but it is never silent.
        this.listenerFailed(type, error);
      }
    }
    return event;
  }

  /** Every event (for the transports that forward all of them). */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One event name; the listener gets that name's payload type. */
  on<T extends EventType>(type: T, listener: TypedListener<T>): () => void {
    if (!(type in EVENT_SCHEMAS)) throw new Error(`Unknown event type '${type}'`);
    return this.subscribe((e) => {
      if (e.type === type) listener(e as AgentEvent<T>);
    });
  }

  /** Events after `seq` still in the ring buffer (for Last-Event-ID). */
  since(seq: number): AgentEvent[] {
    return this.recent.filter((e) => e.seq > seq);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private listenerFailed(type: EventType, error: unknown): void {
    const message = `A listener of '${type}' failed`;
    if (this.logger) this.logger.error(message, { event: type, error: error as Error });
    else process.stderr.write(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
