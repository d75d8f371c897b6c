import type { Database } from 'better-sqlite3';
import { transactions, type Transactions } from '../db/transactions';
import type { WriteBatcher } from '../db/write-batcher';
import { RunClaims } from './run-claim';
import { RunInserts, type NewRun } from './run-insert';
import { RunJournal, type ProgressRow, type StartedStep, type StepRecord } from './run-journal';
import { RunLeases } from './run-lease';
import { RunReads } from './run-reads';
import { RunRetention } from './run-retention';
import { executableRunOf, stateWithDecision, undecidedApproval, type ExecutableRun } from './run-executable';
import type { AttemptRecord, RunRow } from './run-row';
import { honestSettlement, RunSettlements, type Settlement } from './run-settle';
import type { ApprovalDecision, ApprovalRequest, RunState } from './run-state';
import type { FailureSink } from './failure-sink';
import type { RunsStorage } from './ports';

/** A step write waiting in the batch; `taken` once the run's end writes it instead. */
interface WaitingStep {
  step: () => void;
  progress: ProgressRow;
  taken: boolean;
  failed: (e: unknown) => void;
}

export type { ExecutableRun } from './run-executable';

/**
 * The one owner of the `runs` and `run_steps` tables (issue 13): every statement on them is in
 * this folder, one module per group (insert, claim, settle, lease, read, journal, retention), and
 * this repository decides how they commit.
 *
 * Commits: writes on the run hot path (a finished step, a settled attempt) are group-committed
 * through the core's WriteBatcher when there is one; an accepted run, a claim, a recovery, an
 * approval decision and the journal's "step started" mark are committed at once. The step
 * journal: a step that may have a side effect (not idempotent as rendered) is written as
 * `running` with idempotent = 0 and committed before the side effect; when it finishes, its row
 * and the resume point move in one transaction. Crash recovery reads the journal
 * (`interruptedStep`): a started, non-idempotent step is never repeated silently.
 */
export class RunRepository implements RunsStorage {
  readonly insert: RunInserts;
  readonly claim: RunClaims;
  readonly lease: RunLeases;
  readonly read: RunReads;
  readonly retention: RunRetention;
  private readonly journal: RunJournal;
  private readonly settlements: RunSettlements;
  /** Runs whose step records could not be written, with the cause: their end cannot be `succeeded`. */
  private readonly lostSteps = new Map<string, string>();
  /** Each running run's last step write, while it may still wait for the group commit (settle takes it). */
  private readonly waitingSteps = new Map<string, WaitingStep>();
  private readonly tx: Transactions;

  /** With a batcher, hot-path writes are group-committed (see db/write-batcher.ts); without, immediate. */
  constructor(
    readonly db: Database,
    private readonly writes?: WriteBatcher,
    /** Told about a write that failed (the core logs it with the run and the cause). */
    private readonly onWriteFailed?: (message: string, runId: string, error: unknown) => void,
    /** Failure clusters: told of each failure in the transaction that records it (failure-sink.ts). */
    private readonly failures?: FailureSink,
  ) {
    this.insert = new RunInserts(db);
    this.claim = new RunClaims(db);
    this.lease = new RunLeases(db);
    this.read = new RunReads(db);
    this.retention = new RunRetention(db, () => this.insert.forgetContents());
    this.journal = new RunJournal(db);
    this.settlements = new RunSettlements(db);
    this.tx = transactions(db);
  }

  // ---- commit policy ---------------------------------------------------------------------

  /** Runs fn once the writes so far are committed (events announce only what is on disk). */
  afterCommit(fn: () => void): void {
    if (this.writes) this.writes.afterCommit(fn);
    else fn();
  }

  /** Commits pending writes now (before reading them back). */
  flush(): void {
    this.writes?.flush();
  }

  /** Flushes only when this run has writes pending. */
  private flushFor(runId: string): void {
    if (this.writes?.hasPending(runId)) this.writes.flush();
  }

  private defer(runId: string, write: () => void, onFailed?: (e: unknown) => void): void {
    if (this.writes) this.writes.defer(write, runId, onFailed);
    else {
      try {
        this.tx.run(write);
      } catch (e) {
        if (!onFailed) throw e;
        onFailed(e);
      }
    }
  }

  /**
   * Writes at once, after what is deferred and in the same transaction (one commit, not two: a
   * finishing run's last step row and its end share it). A failure of this write is thrown.
   */
  private now(write: () => void): void {
    if (!this.writes?.pending) {
      this.tx.run(write);
      return;
    }
    let failure: { error: unknown } | undefined;
    this.writes.defer(write, undefined, (error) => (failure = { error }));
    this.writes.flush();
    if (failure) throw failure.error;
  }

  // ---- claim -----------------------------------------------------------------------------

  /**
   * The dispatcher's claim as one IMMEDIATE transaction: `pick` reads the heads and chooses (their
   * rowids, which hold within the transaction), the
   * chosen runs are claimed, and the writes waiting for a group commit (steps and ends of runs
   * that just finished) share its commit. Returns the claimed rows (fewer than picked when
   * another process took some meanwhile).
   */
  claimNext(pick: () => readonly number[], owner: string, leaseUntil: number, now: number): RunRow[] {
    const unit = () => {
      this.claim.beginClaim();
      return this.claim.claimRowids(pick(), owner, leaseUntil, now);
    };
    return this.writes ? this.writes.flushWith(unit) : this.tx.immediate(unit);
  }

  // ---- settle ----------------------------------------------------------------------------

  /**
   * Records how an attempt ended, group-committed. `onFailed` hears of a write that could not be
   * committed (disk full, read-only database), so the caller can keep the run and try again.
   */
  settle(id: string, s: Settlement, onFailed?: (e: unknown) => void): void {
    const waiting = this.waitingSteps.get(id);
    this.waitingSteps.delete(id);
    if (waiting && s.kind === 'finish' && this.writes?.hasPending(id)) {
      // The run's last step is still waiting for the group commit: one write takes the step row
      // and the run's end, whose UPDATE also moves the resume point (one statement fewer).
      waiting.taken = true;
      this.defer(
        id,
        () => {
          waiting.step();
          this.applySettlement(id, s, waiting.progress);
        },
        (e) => {
          waiting.failed(e);
          onFailed?.(e);
        },
      );
      return;
    }
    this.defer(id, () => this.applySettlement(id, s), onFailed);
  }

  /** Records a settlement at once (cancel, recovery, a decided approval). */
  settleNow(id: string, s: Settlement): void {
    this.waitingSteps.delete(id);
    this.now(() => this.applySettlement(id, s));
  }

  /** The one place a run's end is written; a failed run is reported to failure clusters in the same transaction. */
  private applySettlement(id: string, settlement: Settlement, progress?: ProgressRow): void {
    // Kept (not deleted here): the write of this settlement may fail too and be tried again. Rare, small.
    const s = honestSettlement(settlement, this.lostSteps.get(id));
    this.settlements.apply(id, s, progress);
    const failure = s.kind === 'finish' && s.status === 'failed' ? { error: s.error, code: s.errorCode } : s.kind === 'interrupt' && !s.then.requeue ? { error: s.then.error, code: 'INTERRUPTED' } : undefined;
    if (failure && this.failures && !this.read.hasFailedStep(id)) {
      this.failures.record({ runId: id, template: this.read.row(id)?.template ?? null, stepIndex: null, action: null, message: failure.error ?? failure.code ?? 'failed', code: failure.code, at: 'now' in s ? s.now : Date.now() });
    }
  }

  // ---- the engine's journal --------------------------------------------------------------

  /**
   * The run as the engine needs it, or undefined. `claimed` is its row as the claim just read it
   * in the transaction that made it ours (nothing else writes a run we hold), so it is not read
   * again; the template text is immutable per content hash and cached (run-reads.ts).
   */
  load(runId: string, claimed?: RunRow): ExecutableRun | undefined {
    let r: RunRow | undefined = claimed?.id === runId ? claimed : undefined;
    if (!r) {
      this.flushFor(runId);
      r = this.read.row(runId);
    }
    if (!r) return undefined;
    const resumeAt = r.next_step;
    // Results of the steps before the resume point are read back from their rows.
    return executableRunOf(r, this.read.templateYaml(r.template_hash) ?? '', () => this.journal.outcomesBefore(runId, resumeAt));
  }

  /** Writes a step row (group-committed); with `progress`, moves the resume point in the same transaction. */
  recordStep(step: StepRecord, progress?: { nextStep: number; state: RunState }): void {
    const failures = step.status === 'failed' ? this.failures : undefined;
    // A failed step is reported to failure clusters in the transaction that records it.
    const reported = (write: () => void) =>
      failures
        ? () => {
            write();
            failures.record({ runId: step.runId, template: this.read.row(step.runId)?.template ?? null, stepIndex: step.index, action: step.action, message: step.error ?? '', code: step.errorCode, at: step.finishedAt ?? step.startedAt ?? 0 });
          }
        : write;
    const failed = this.journalWriteFailed(step.runId, `steps[${step.index}] ${step.action}`);
    if (!progress || !this.writes) {
      this.defer(step.runId, reported(this.journal.stepWrite(step, progress)), failed);
      return;
    }
    // Kept until the run's end (settle), which may take it into its own write.
    const parts = this.journal.stepParts(step, progress);
    const waiting: WaitingStep = { step: reported(parts.step), progress: parts.progress, taken: false, failed };
    const whole = reported(parts.whole);
    this.waitingSteps.set(step.runId, waiting);
    this.defer(
      step.runId,
      () => {
        if (!waiting.taken) whole();
      },
      failed,
    );
  }

  private journalWriteFailed(runId: string, what: string): (e: unknown) => void {
    return (e) => {
      this.lostSteps.set(runId, (e as Error).message);
      this.onWriteFailed?.(`Could not record ${what} of run ${runId}: ${(e as Error).message}`, runId, e);
    };
  }

  /** The journal's "started" mark of a step that may have a side effect: on disk before the side effect. */
  markStepStarted(step: StepRecord): void {
    this.now(this.journal.stepWrite({ ...step, status: 'running', idempotent: false }));
  }

  saveProgress(runId: string, nextStep: number, state: RunState): void {
    this.defer(runId, this.journal.progressWrite(runId, nextStep, state), this.journalWriteFailed(runId, 'the resume point'));
  }

  /** The step a run was in when its process died, if the journal shows it started. */
  interruptedStep(runId: string): StartedStep | undefined {
    this.flushFor(runId);
    return this.journal.startedAtResumePoint(runId);
  }

  // ---- approvals -------------------------------------------------------------------------

  /** The approval a waiting run asks for, if any (HITL reads this to build its request). */
  pendingApproval(runId: string): ApprovalRequest | undefined {
    this.flushFor(runId);
    return undecidedApproval(this.read.row(runId));
  }

  /**
   * Records the decision on a waiting run's approval, at once: it must be on disk before the run
   * is re-queued (`queue.requeueWaiting`), where the engine continues with the next step when
   * approved, and fails the step with `denied by <user>` when denied.
   */
  recordApprovalDecision(runId: string, decision: ApprovalDecision): void {
    this.now(() => {
      const row = this.read.row(runId);
      this.journal.progressWrite(runId, row?.next_step ?? 0, stateWithDecision(runId, row, decision))();
    });
  }

  // ---- a run executed at once by this process (the CLI) ---------------------------------

  /** Inserts a run as `running` with this owner's lease (a running instance must not recover it). */
  startLocal(run: Omit<NewRun, 'status'>): void {
    this.insert.insertMany([{ ...run, status: 'running' }]);
  }

  renewLocalLease(runId: string, owner: string, until: number): void {
    this.lease.renew([runId], owner, until);
  }

  /** Ends a run this process executed itself, as its one attempt. */
  finishLocal(runId: string, outcome: { status: string; error: string | null; errorCode: string | null }, startedAt: number, at: number): void {
    const history: AttemptRecord[] = [{ attempt: 1, started_at: new Date(startedAt).toISOString(), finished_at: new Date(at).toISOString(), status: outcome.status, error: outcome.error, error_code: outcome.errorCode }];
    const s: Settlement =
      outcome.status === 'succeeded' || outcome.status === 'failed' || outcome.status === 'cancelled'
        ? { kind: 'finish', status: outcome.status, now: at, error: outcome.error, errorCode: outcome.errorCode, history }
        : { kind: 'park', status: outcome.status === 'paused' ? 'paused' : 'waiting_approval', history, pausedFrom: outcome.status === 'paused' ? 'running' : null };
    this.settleNow(runId, s);
  }
}
