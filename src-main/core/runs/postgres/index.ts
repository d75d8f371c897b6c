/** core/runs/postgres: the runs storage on the fleet database (SPEC section 16). */
export { PgRunsStorage, type Promised } from './pg-runs-storage';
export type { FleetClaimLimits } from './fleet-claim';
export { RUNS_QUEUED_CHANNEL } from './pg-run-row';
