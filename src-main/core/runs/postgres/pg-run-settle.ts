import type { PgClient } from '../../db/postgres';
import type { Settlement } from '../run-settle';

const LEASE_OFF = 'lease_owner = null, lease_expires_at = null';
const FINISH = `update runs set status = $2, finished_at = $3, error = $4, error_code = $5, ${LEASE_OFF}, attempt_history_json = $6 where id = $1`;
const REQUEUE = `update runs set status = 'queued', available_at = $2, enqueued_at = $3, ${LEASE_OFF}, attempts = $4,
    attempt_history_json = coalesce($5, attempt_history_json), error = $6, error_code = $7, paused_from = null where id = $1`;

/**
 * How an attempt ends, in the fleet database: the statements of run-settle.ts on the client of the
 * caller's transaction (PgRunsStorage: one transaction per settlement). A run's last step and its
 * resume point are committed by their own transaction before (recordStep), so the end never takes
 * them in (SQLite's group commit does). A requeue tells the nodes of the queue (NOTIFY, delivered
 * at COMMIT), as an insert does.
 */
export async function applyPgSettlement(client: PgClient, id: string, s: Settlement, notifyChannel: string): Promise<void> {
  switch (s.kind) {
    case 'finish':
      await client.query(FINISH, [id, s.status, s.now, s.error, s.errorCode, JSON.stringify(s.history)]);
      return;
    case 'retry_wait':
      await client.query(`update runs set status = 'retry_wait', available_at = $2, error = $3, error_code = $4, ${LEASE_OFF}, attempt_history_json = $5 where id = $1`, [
        id, s.due, s.error, s.errorCode, JSON.stringify(s.history),
      ]);
      return;
    case 'defer':
      // No attempt ran before this one (attempts back to 0): the run has not started yet.
      await client.query(
        `update runs set status = 'retry_wait', available_at = $2, error = $3, error_code = $4, ${LEASE_OFF}, attempts = $5,
           started_at = case when $5 = 0 then null else started_at end where id = $1`,
        [id, s.due, s.error, s.errorCode, s.attempts],
      );
      return;
    case 'park':
      await client.query(
        `update runs set status = $2, error = null, error_code = null, ${LEASE_OFF}, attempt_history_json = coalesce($3, attempt_history_json), paused_from = $4 where id = $1`,
        [id, s.status, s.history ? JSON.stringify(s.history) : null, s.pausedFrom ?? null],
      );
      return;
    case 'requeue':
      await requeue(client, id, [s.now, s.enqueuedAt, s.attempts, s.history ? JSON.stringify(s.history) : null, s.error ?? null, s.errorCode ?? null], notifyChannel);
      return;
    case 'interrupt': {
      const history = JSON.stringify(s.history);
      await client.query(`update runs set status = 'interrupted', error = $2, error_code = 'INTERRUPTED', ${LEASE_OFF}, attempt_history_json = $3 where id = $1`, [id, s.reason, history]);
      if (s.then.requeue) await requeue(client, id, [s.now, s.then.enqueuedAt, s.then.attempts, history, s.reason, 'INTERRUPTED'], notifyChannel);
      else await client.query(FINISH, [id, 'failed', s.now, s.then.error, 'INTERRUPTED', history]);
    }
  }
}

async function requeue(client: PgClient, id: string, values: unknown[], notifyChannel: string): Promise<void> {
  const r = await client.query<{ queue: string }>(`${REQUEUE} returning queue`, [id, ...values]);
  if (r.rows[0]) await client.query('select pg_notify($1, $2)', [notifyChannel, r.rows[0].queue]);
}
