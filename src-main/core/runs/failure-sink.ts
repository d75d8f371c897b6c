/**
 * The port the runs module calls where it records a failure, inside the same transaction: a
 * failed step, or a run that fails without a failed step (denied before it started, timed out,
 * interrupted). The failure clusters module implements it (core/clusters); the composition root
 * passes it in. An implementation must not throw (a failure record is never lost to it).
 */
export interface FailureRecord {
  runId: string;
  /** The run's template name. */
  template: string | null;
  /** null for a run that failed without a failed step. */
  stepIndex: number | null;
  action: string | null;
  message: string;
  code: string | null;
  at: number;
}

export interface FailureSink {
  record(failure: FailureRecord): void;
}
