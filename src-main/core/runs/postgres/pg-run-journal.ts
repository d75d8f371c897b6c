import type { SqlExecutor } from '../../db/postgres/sql-executor';
import { outcomesOf, startedStepOf, stepUpsertSql, stepValues, type OutcomeRow, type StartedRow, type StartedStep, type StepRecord } from '../run-journal';
import type { StepOutcome } from '../run-state';

const UPSERT_STEP = stepUpsertSql((i) => `$${i}`);
const OUTCOMES = `select idx, step_id, status, result_json, error from run_steps
  where run_id = $1 and idx < $2 and status in ('succeeded', 'failed', 'skipped') order by idx`;
const STARTED = `select s.idx, s.action, s.step_id, s.idempotent from run_steps s join runs r on r.id = s.run_id
  where s.run_id = $1 and s.idx = r.next_step and s.status = 'running'`;

/**
 * The run's journal in the fleet database: the statements of run-journal.ts (`run_steps` rows and
 * the run's resume point) on a pool or a transaction's client; PgRunsStorage decides the
 * transactions. The values are the SQLite journal's (0/1 for `idempotent`, which PostgreSQL reads as
 * a boolean), so both backends store a step alike.
 */
export const pgJournal = {
  async writeStep(db: SqlExecutor, step: StepRecord): Promise<void> {
    await db.query(UPSERT_STEP, stepValues(step));
  },

  async writeProgress(db: SqlExecutor, runId: string, nextStep: number, stateJson: string): Promise<void> {
    await db.query('update runs set next_step = $2, state_json = $3 where id = $1', [runId, nextStep, stateJson]);
  },

  /** Results of the steps before the resume point, read back from their rows. */
  async outcomesBefore(db: SqlExecutor, runId: string, nextStep: number): Promise<(StepOutcome | null)[]> {
    return outcomesOf((await db.query<OutcomeRow>(OUTCOMES, [runId, nextStep])).rows);
  },

  /** The step at the run's resume point when the journal shows it started and not finished. */
  async startedAtResumePoint(db: SqlExecutor, runId: string): Promise<StartedStep | undefined> {
    const r = (await db.query<StartedRow>(STARTED, [runId])).rows[0];
    return r && startedStepOf(r);
  },
};
