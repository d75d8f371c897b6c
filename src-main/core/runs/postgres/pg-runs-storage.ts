import { inTransaction, type PgClient, type PgPool } from '../../db/postgres';
import type { RunsStorage } from '../ports';
import { executableRunOf, stateWithDecision, undecidedApproval, type ExecutableRun } from '../run-executable';
import type { StartedStep, StepRecord } from '../run-journal';
import type { RunRow } from '../run-row';
import { honestSettlement, type Settlement } from '../run-settle';
import type { ApprovalDecision, ApprovalRequest, RunState } from '../run-state';
import { claimFleet, type FleetClaimLimits } from './fleet-claim';
import { PgRunClaims } from './pg-run-claim';
import { PgRunInserts } from './pg-run-insert';
import { pgJournal } from './pg-run-journal';
import { PgRunLeases } from './pg-run-lease';
import { PgRunReads, pgRunRow } from './pg-run-reads';
import { PgRunRetention } from './pg-run-retention';
import { RUNS_QUEUED_CHANNEL } from './pg-run-row';
import { applyPgSettlement } from './pg-run-settle';

/** A port part whose methods return promises: what 0028 said a PostgreSQL implementation changes. */
export type Promised<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

type Parts = 'insert' | 'claim' | 'lease' | 'read' | 'retention';
/**
 * The RunsStorage port as the fleet database answers it: every method returns a promise, and the
 * claim takes the fleet's limits instead of a pick (see claimNext).
 */
export type FleetRunsStorage = { [K in Parts]: Promised<RunsStorage[K]> } & Promised<Omit<RunsStorage, Parts | 'claimNext'>>;

export interface PgRunsStorageOptions {
  /** Told about a journal write that failed (the core logs it with the run and the cause). */
  onWriteFailed?: (message: string, runId: string, error: unknown) => void;
}

/**
 * The runs storage on PostgreSQL: the RunsStorage port's methods and meanings, each returning a
 * promise. Commits: SQLite group-commits the hot path; here each unit (a step with its resume
 * point, a settlement, a claim, a decision) is its own transaction, committed when its promise
 * resolves, so `afterCommit` and `flush` only wait for the units this storage has in flight. The
 * step journal and the rule that a run whose step records were lost cannot end `succeeded` are the
 * SQLite repository's (run-repository.ts). The product's callers still use the synchronous SQLite
 * repository; they move to `await` in a later step (docs/decisions/0037-fleet-storage-on-postgres.md).
 */
export class PgRunsStorage implements FleetRunsStorage {
  readonly insert: PgRunInserts;
  readonly claim: PgRunClaims;
  readonly lease: PgRunLeases;
  readonly read: PgRunReads;
  readonly retention: PgRunRetention;
  /** Runs whose step records could not be written, with the cause: their end cannot be `succeeded`. */
  private readonly lostSteps = new Map<string, string>();
  /** Writes started and not yet settled, with their run. */
  private readonly inFlight = new Map<Promise<unknown>, string>();

  constructor(
    private readonly pool: PgPool,
    private readonly o: PgRunsStorageOptions = {},
  ) {
    this.insert = new PgRunInserts(pool);
    this.claim = new PgRunClaims(pool);
    this.lease = new PgRunLeases(pool);
    this.read = new PgRunReads(pool);
    this.retention = new PgRunRetention(pool);
  }

  /**
   * The fleet's claim: the single machine's `claimNext(pick, …)` picks from what this process runs;
   * a node must count what the whole fleet runs, under locks, so the pick happens inside
   * (fleet-claim.ts) from the limits it is given.
   */
  claimNext(limits: FleetClaimLimits, owner: string, leaseUntil: number, now: number): Promise<RunRow[]> {
    return claimFleet(this.pool, limits, owner, leaseUntil, now);
  }

  // ---- commits ---------------------------------------------------------------------------

  /** Runs fn once the writes started so far have committed (or failed). */
  async afterCommit(fn: () => void): Promise<void> {
    await this.flush();
    fn();
  }

  /** Waits for the writes started so far. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight.keys()]);
  }

  private async flushFor(runId: string): Promise<void> {
    const mine = [...this.inFlight].filter(([, id]) => id === runId).map(([p]) => p);
    if (mine.length) await Promise.allSettled(mine);
  }

  private track<T>(runId: string, write: Promise<T>): Promise<T> {
    this.inFlight.set(write, runId);
    const done = () => this.inFlight.delete(write);
    write.then(done, done);
    return write;
  }

  /** A journal write whose failure is recorded (the run cannot end `succeeded`) and reported, not thrown: as on SQLite. */
  private journalWrite(runId: string, what: string, write: Promise<void>): Promise<void> {
    return this.track(
      runId,
      write.catch((e: unknown) => {
        this.lostSteps.set(runId, (e as Error).message);
        this.o.onWriteFailed?.(`Could not record ${what} of run ${runId}: ${(e as Error).message}`, runId, e);
      }),
    );
  }

  // ---- settle ----------------------------------------------------------------------------

  /** Records how an attempt ended, in one transaction. `onFailed` hears of a write that could not be committed; without it, the promise rejects. */
  async settle(id: string, s: Settlement, onFailed?: (e: unknown) => void): Promise<void> {
    try {
      await this.settleNow(id, s);
    } catch (e) {
      if (!onFailed) throw e;
      onFailed(e);
    }
  }

  /**
   * Records a settlement in one transaction (cancel, recovery, a decided approval), after the run's
   * journal writes still in flight: the end commits after its steps, as the group commit orders them.
   */
  settleNow(id: string, settlement: Settlement): Promise<void> {
    const unit = async () => {
      await this.flushFor(id);
      // lostSteps is kept: the write of this settlement may fail too and be tried again.
      const s = honestSettlement(settlement, this.lostSteps.get(id));
      await inTransaction(this.pool, (client) => applyPgSettlement(client, id, s, RUNS_QUEUED_CHANNEL));
    };
    return this.track(id, unit());
  }

  // ---- the engine's journal --------------------------------------------------------------

  /** The run as the engine needs it, or undefined; `claimed` is its row as the claim returned it. */
  async load(runId: string, claimed?: RunRow): Promise<ExecutableRun | undefined> {
    let r = claimed?.id === runId ? claimed : undefined;
    if (!r) {
      await this.flushFor(runId);
      r = await this.read.row(runId);
    }
    if (!r) return undefined;
    const yaml = (await this.read.templateYaml(r.template_hash)) ?? '';
    const outcomes = r.next_step > 0 ? await pgJournal.outcomesBefore(this.pool, runId, r.next_step) : [];
    return executableRunOf(r, yaml, () => outcomes);
  }

  /** Writes a step row; with `progress`, moves the resume point in the same transaction. */
  recordStep(step: StepRecord, progress?: { nextStep: number; state: RunState }): Promise<void> {
    const write = progress
      ? inTransaction(this.pool, async (client) => {
          await pgJournal.writeStep(client, step);
          await pgJournal.writeProgress(client, step.runId, progress.nextStep, JSON.stringify(progress.state));
        })
      : pgJournal.writeStep(this.pool, step);
    return this.journalWrite(step.runId, `steps[${step.index}] ${step.action}`, write);
  }

  /** The journal's "started" mark of a step that may have a side effect: committed before the side effect; a failure is thrown. */
  markStepStarted(step: StepRecord): Promise<void> {
    return this.track(step.runId, pgJournal.writeStep(this.pool, { ...step, status: 'running', idempotent: false }));
  }

  saveProgress(runId: string, nextStep: number, state: RunState): Promise<void> {
    return this.journalWrite(runId, 'the resume point', pgJournal.writeProgress(this.pool, runId, nextStep, JSON.stringify(state)));
  }

  /** The step a run was in when its node died, if the journal shows it started. */
  async interruptedStep(runId: string): Promise<StartedStep | undefined> {
    await this.flushFor(runId);
    return pgJournal.startedAtResumePoint(this.pool, runId);
  }

  // ---- approvals -------------------------------------------------------------------------

  /** The approval a waiting run asks for, if any. */
  async pendingApproval(runId: string): Promise<ApprovalRequest | undefined> {
    await this.flushFor(runId);
    return undecidedApproval(await this.read.row(runId));
  }

  /**
   * Records the decision on a waiting run's approval. The run's row is locked first, so of two
   * nodes deciding at once the second finds it decided (ALREADY_DECIDED). With `client`, it is part
   * of the caller's transaction (the approval's row and the run's state commit together).
   */
  recordApprovalDecision(runId: string, decision: ApprovalDecision, client?: PgClient): Promise<void> {
    const unit = async (c: PgClient) => {
      const row = await pgRunRow(c, 'id = $1', runId, 'for update');
      await pgJournal.writeProgress(c, runId, row?.next_step ?? 0, JSON.stringify(stateWithDecision(runId, row, decision)));
    };
    return this.track(runId, client ? unit(client) : inTransaction(this.pool, unit));
  }
}
