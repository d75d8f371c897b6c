import type { CredentialCheck } from '../kernel/authenticator';
import type { Clock, Logger, TimerHandle } from '../kernel/ports';

/**
 * Every open event stream (SSE and the desktop app's IPC event channel), bound to the credential
 * it was opened with (SPEC section 12): a stream ends within a second of its session ending, its
 * token being revoked or expiring, its user being disabled, deleted or given another role; a
 * principal holds at most `maxPerPrincipal` streams (the oldest is closed); shutdown ends them
 * all, so a server never waits for a browser tab to hang up.
 *
 * The users module says when credentials changed (recheck at once); a slow poll catches changes
 * another process wrote to the database, and a timer at each credential's expiry catches expiry.
 */
export type StreamEndReason = 'credentials_ended' | 'too_many_streams' | 'shutdown';

export type { CredentialCheck };

export interface StreamSpec {
  /** The principal the cap counts per (a user id). */
  owner: string;
  credential: CredentialCheck;
  /** Ends the stream on the transport's side. Called at most once. */
  end(reason: StreamEndReason): void;
}

export interface OpenStream {
  /** The transport closed it (the client went away): forget it without calling `end`. */
  release(): void;
}

export interface EventStreamsOptions {
  clock: Clock;
  logger: Logger;
  maxPerPrincipal?: number;
  /** How often credentials are read again for changes made by another process. */
  pollMs?: number;
}

export const MAX_STREAMS_PER_PRINCIPAL = 8;

interface Entry extends StreamSpec {
  seq: number;
  expiry?: TimerHandle;
  done: boolean;
}

export class EventStreams {
  private readonly open = new Map<number, Entry>();
  private seq = 0;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly max: number;
  private readonly pollMs: number;
  /** Owners already told about the cap in the log (once per owner while they hold streams). */
  private readonly capLogged = new Set<string>();

  constructor(private readonly options: EventStreamsOptions) {
    this.max = options.maxPerPrincipal ?? MAX_STREAMS_PER_PRINCIPAL;
    this.pollMs = options.pollMs ?? 500;
  }

  /** Registers a stream; the owner's oldest streams beyond the cap are ended. Refused after `endAll`. */
  add(spec: StreamSpec): OpenStream {
    const entry: Entry = { ...spec, seq: ++this.seq, done: false };
    if (this.closed) {
      this.finish(entry, 'shutdown');
      return { release: () => {} };
    }
    this.open.set(entry.seq, entry);
    if (spec.credential.expiresAt !== undefined) {
      entry.expiry = this.options.clock.setTimer(spec.credential.expiresAt - this.options.clock.now(), () => this.checkOne(entry));
    }
    const mine = [...this.open.values()].filter((e) => e.owner === spec.owner);
    if (mine.length > this.max) {
      if (!this.capLogged.has(spec.owner)) {
        this.capLogged.add(spec.owner);
        this.options.logger.warn(`Closed the oldest event stream of a principal: at most ${this.max} per principal`, { owner: spec.owner });
      }
      for (const old of mine.slice(0, mine.length - this.max)) this.finish(old, 'too_many_streams');
    }
    this.startPolling();
    return { release: () => this.forget(entry) };
  }

  /** Reads every stream's credential again; those that no longer hold are ended. */
  recheck(): void {
    for (const e of [...this.open.values()]) this.checkOne(e);
  }

  /** Ends every stream (shutdown); streams added later are ended at once. */
  endAll(): void {
    this.closed = true;
    for (const e of [...this.open.values()]) this.finish(e, 'shutdown');
    this.stopPolling();
  }

  count(owner?: string): number {
    let n = 0;
    for (const e of this.open.values()) if (owner === undefined || e.owner === owner) n++;
    return n;
  }

  private checkOne(e: Entry): void {
    if (e.done) return;
    let holds: boolean;
    try {
      holds = e.credential.holds() && (e.credential.expiresAt === undefined || e.credential.expiresAt > this.options.clock.now());
    } catch (err) {
      // A credential that cannot be read (database closing) is not one to keep streaming on.
      this.options.logger.warn('Could not check an event stream credential; ending the stream', { error: (err as Error).message });
      holds = false;
    }
    if (!holds) this.finish(e, 'credentials_ended');
  }

  private finish(e: Entry, reason: StreamEndReason): void {
    if (e.done) return;
    this.forget(e);
    try {
      e.end(reason);
    } catch (err) {
      this.options.logger.warn('Ending an event stream failed', { error: (err as Error).message, reason });
    }
  }

  private forget(e: Entry): void {
    e.done = true;
    e.expiry?.cancel();
    this.open.delete(e.seq);
    if (this.count(e.owner) === 0) this.capLogged.delete(e.owner);
    if (this.open.size === 0) this.stopPolling();
  }

  private startPolling(): void {
    if (this.poll || this.pollMs <= 0) return;
    // Real time on purpose: this looks for writes by other processes, which happen in real time.
    this.poll = setInterval(() => this.recheck(), this.pollMs);
    this.poll.unref();
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }
}
