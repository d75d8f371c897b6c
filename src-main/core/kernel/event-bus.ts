import { EVENT_SCHEMAS, type AgentEvent, type EventData, type EventType } from '@shared/contract/events';

export type EventListener = (event: AgentEvent) => void;

/**
 * The in-process event bus behind SSE and the IPC event channel. Publishing is synchronous and
 * cheap; a listener that throws is isolated from the others. A short ring buffer lets SSE
 * clients resume from Last-Event-ID after a reconnect.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly recent: AgentEvent[] = [];

  constructor(
    private readonly now: () => number,
    private readonly redact: <T>(v: T) => T = (v) => v,
    private readonly keep = 500,
  ) {}

  publish<T extends EventType>(type: T, data: EventData<T>): AgentEvent<T> {
    if (!(type in EVENT_SCHEMAS)) throw new Error(`Unknown event type '${type}'`);
    const event: AgentEvent<T> = { seq: ++this.seq, type, at: new Date(this.now()).toISOString(), data: this.redact(data) };
    this.recent.push(event as AgentEvent);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const l of this.listeners) {
      try {
        l(event as AgentEvent);
      } catch {
        // One broken subscriber must not stop the others or the publisher.
      }
    }
    return event;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `seq` still in the ring buffer (for Last-Event-ID). */
  since(seq: number): AgentEvent[] {
    return this.recent.filter((e) => e.seq > seq);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
