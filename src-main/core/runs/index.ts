/** core/runs: the one owner of the `runs` and `run_steps` tables (see run-repository.ts). */
export { RunRepository, type ExecutableRun } from './run-repository';
export type { RunsStorage } from './ports';
export type { NewRun } from './run-insert';
export type { StepRecord, StartedStep } from './run-journal';
export type { Settlement } from './run-settle';
export type { ListFilter } from './run-reads';
export type { QueueHead } from './run-claim';
export { parseHistory, parsePolicy, type AttemptRecord, type RunRow } from './run-row';
export * from './run-state';
export * from './failure-sink';
export * from './run-figures';
