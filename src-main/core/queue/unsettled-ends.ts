import type { RunStatus } from '@shared/domain/runs';
import type { Logger } from '../kernel/ports';
import type { RunsStorage, Settlement } from '../runs';

/**
 * Ends of runs that could not be recorded (disk full, a read-only database): kept with what to
 * announce once written, and tried again every heartbeat. While a run is here its lease is not
 * renewed, but recovery leaves it alone (`has`), since this process still knows how it ended.
 */
export class UnsettledEnds {
  private readonly ends = new Map<string, { settlement: Settlement; announce: () => void }>();

  constructor(
    private readonly runs: RunsStorage,
    private readonly log: Logger,
    private readonly heartbeatMs: number,
  ) {}

  has(id: string): boolean {
    return this.ends.has(id);
  }

  add(id: string, next: RunStatus, settlement: Settlement, announce: () => void, e: unknown): void {
    this.ends.set(id, { settlement, announce });
    this.log.error(`Could not record that run ${id} is ${next}: ${(e as Error).message}; its lease is not renewed and the write is tried again every ${this.heartbeatMs} ms`, {
      runId: id,
      error: e as Error,
    });
  }

  /** Tries again to record the ends that could not be written. */
  retry(): void {
    for (const [id, u] of this.ends) {
      try {
        this.runs.settleNow(id, u.settlement);
      } catch (e) {
        this.log.warn(`Still cannot record the end of run ${id}: ${(e as Error).message}`, { runId: id });
        continue;
      }
      this.ends.delete(id);
      this.log.info(`Recorded the end of run ${id} once the database accepted writes again`, { runId: id });
      u.announce();
    }
  }
}
