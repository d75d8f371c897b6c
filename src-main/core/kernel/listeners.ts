import type { Logger } from './ports';

/**
 * The listeners of one explicit port between modules (e.g. the queue telling HITL that a run waits
 * for an approval). Each is called in turn; one that throws is logged with what it was told and
 * the others still hear it, so a broken listener never stops the module that tells.
 */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(
    private readonly log: Pick<Logger, 'error'>,
    /** Names the port in the log line of a failed listener: `A listener of <port> failed`. */
    private readonly port: string,
    /** The log fields that say what the listener was told (e.g. `{runId}`). */
    private readonly fields: (value: T) => Record<string, unknown> = () => ({}),
  ) {}

  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tell(value: T): void {
    for (const l of this.listeners) {
      try {
        l(value);
      } catch (e) {
        this.log.error(`A listener of ${this.port} failed`, { ...this.fields(value), error: e as Error });
      }
    }
  }
}
