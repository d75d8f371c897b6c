import type { RunView } from '@shared/contract/runs';
import type { ArtifactRef } from './run-state';
import type { QueueHead } from './run-claim';
import type { NewRun } from './run-insert';
import type { StartedStep, StepRecord } from './run-journal';
import type { LeaseHolder } from './run-lease';
import type { ListFilter } from './run-reads';
import type { RunRow } from './run-row';
import type { Settlement } from './run-settle';
import type { ApprovalDecision, ApprovalRequest, RunState } from './run-state';
import type { ExecutableRun } from './run-repository';

/**
 * The runs storage port (SPEC section 16: a PostgreSQL implementation must be able to satisfy
 * it). Each method is one unit of work: one statement or one transaction (`claimNext` picks and
 * claims a whole batch, `settle` records an attempt's end and what follows, `interrupt` marks and
 * re-queues or fails). SQLite runs them synchronously; see docs/decisions for why the methods do
 * not return promises yet and what a PostgreSQL adapter changes.
 */
export interface RunsStorage {
  /**
   * insertInTransaction: one run inside the caller's open transaction, not a unit of its own (its
   * result is called once that committed); a storage without it is written with insertMany there.
   */
  insert: { insertMany(runs: readonly NewRun[]): void; insertInTransaction?(run: NewRun): () => void };
  claim: {
    heads(queue: string, priority: number, blockedTagsJson: string | null, limit: number): QueueHead[];
    claimBatch(ids: readonly string[], owner: string, leaseUntil: number, now: number): RunRow[];
    promoteDue(now: number): { id: string; queue: string; priority: number }[];
    nextDue(): number | null;
    queuedLevels(): { queue: string; priority: number }[];
    depths(): Map<string, number>;
  };
  lease: {
    renew(ids: readonly string[], owner: string, until: number): number;
    running(): LeaseHolder[];
    expired(now: number): LeaseHolder[];
    cancelRequested(owner: string): string[];
    requestCancel(id: string): void;
  };
  read: {
    row(id: string): RunRow | undefined;
    mustRow(id: string): RunRow;
    templateYaml(hash: string): string | undefined;
    byIdempotencyKey(key: string): RunRow | undefined;
    waitingForApproval(): string[];
    list(f: ListFilter): { items: Omit<RunView, 'steps'>[]; next_cursor: string | null };
    view(id: string): RunView;
    artifacts(id: string): (ArtifactRef & { step: number })[];
    countsSince(since: number): { created: number; finished: number; retried: number };
  };
  retention: {
    finishedBefore(cutoff: number, limit: number): string[];
    oldestFinished(limit: number): string[];
    deleteMany(ids: readonly string[]): void;
    deleteFinished(id: string): boolean;
    pruneTemplateContents(): number;
  };
  settle(id: string, s: Settlement, onFailed?: (e: unknown) => void): void;
  settleNow(id: string, s: Settlement): void;
  /** Claims what `pick` chooses, in one transaction with the writes waiting for a group commit. */
  claimNext(pick: () => readonly number[], owner: string, leaseUntil: number, now: number): RunRow[];
  load(runId: string, claimed?: RunRow): ExecutableRun | undefined;
  recordStep(step: StepRecord, progress?: { nextStep: number; state: RunState }): void;
  markStepStarted(step: StepRecord): void;
  saveProgress(runId: string, nextStep: number, state: RunState): void;
  interruptedStep(runId: string): StartedStep | undefined;
  pendingApproval(runId: string): ApprovalRequest | undefined;
  recordApprovalDecision(runId: string, decision: ApprovalDecision): void;
  afterCommit(fn: () => void): void;
  flush(): void;
}
