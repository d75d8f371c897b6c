import type { RunView } from '@shared/contract/runs';
import type { PgPool } from '../../db/postgres';
import type { SqlExecutor } from '../../db/postgres/sql-executor';
import { AppError } from '../../kernel/errors';
import type { RunsStorage } from '../ports';
import type { ListFilter } from '../run-reads';
import { FINAL_SQL, type RunRow } from '../run-row';
import type { ArtifactRef } from '../run-state';
import { artifactsOf, decodeCursor, encodeCursor, runView, stepView, type StepRow } from '../run-views';
import { PG_RUN_COLUMNS, runRowsOf } from './pg-run-row';
import type { Promised } from './pg-runs-storage';

const YAML_CACHE_SIZE = 200;
const STEP_COLUMNS = 'idx, step_id, action, status, params_json, result_json, error, error_code, attempt, started_at, finished_at, duration_ms, artifacts_json';

/** One run row by a condition on `$1`, on the pool or a transaction's client. */
export async function pgRunRow(db: SqlExecutor, where: string, value: string, lock = ''): Promise<RunRow | undefined> {
  const r = await db.query<unknown[]>({ text: `select ${PG_RUN_COLUMNS} from runs where ${where} ${lock}`, values: [value], rowMode: 'array' });
  return runRowsOf(r)[0];
}

/**
 * Reading runs in the fleet database: the same methods and meanings as run-reads.ts (one row, the
 * API's list and detail, steps and artifacts, counts for metrics), returning promises. The list's
 * cursor is the same `created_at:rowid` text, with `seq` as the rowid.
 */
export class PgRunReads implements Promised<RunsStorage['read']> {
  /** Template texts by content hash (immutable per hash), oldest dropped first. */
  private readonly yamlByHash = new Map<string, string>();

  constructor(private readonly pool: PgPool) {}

  row(id: string, db: SqlExecutor = this.pool): Promise<RunRow | undefined> {
    return pgRunRow(db, 'id = $1', id);
  }

  /** The row, or NOT_FOUND. */
  async mustRow(id: string): Promise<RunRow> {
    const r = await this.row(id);
    if (!r) throw new AppError('NOT_FOUND', `Run ${id} not found`);
    return r;
  }

  /** A template text by content hash; cached, as the text of a hash never changes. */
  async templateYaml(hash: string): Promise<string | undefined> {
    const cached = this.yamlByHash.get(hash);
    if (cached !== undefined) return cached;
    const yaml = (await this.pool.query<{ yaml: string }>('select yaml from template_contents where hash = $1', [hash])).rows[0]?.yaml;
    if (yaml === undefined) return undefined;
    if (this.yamlByHash.size >= YAML_CACHE_SIZE) this.yamlByHash.delete(this.yamlByHash.keys().next().value!);
    this.yamlByHash.set(hash, yaml);
    return yaml;
  }

  byIdempotencyKey(key: string): Promise<RunRow | undefined> {
    return pgRunRow(this.pool, 'idempotency_key = $1', key);
  }

  async waitingForApproval(): Promise<string[]> {
    return (await this.pool.query<{ id: string }>(`select id from runs where status = 'waiting_approval'`)).rows.map((r) => r.id);
  }

  async list(f: ListFilter): Promise<{ items: Omit<RunView, 'steps'>[]; next_cursor: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [column, value] of [['status', f.status], ['queue', f.queue], ['template', f.template]] as const) {
      if (value === undefined) continue;
      args.push(value);
      where.push(`${column} = $${args.length}`);
    }
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      args.push(c.created, c.rowid);
      where.push(`(created_at, seq) < ($${args.length - 1}, $${args.length})`);
    }
    args.push(f.limit + 1);
    const rows = runRowsOf(
      await this.pool.query<unknown[]>({
        text: `select ${PG_RUN_COLUMNS} from runs ${where.length ? 'where ' + where.join(' and ') : ''} order by created_at desc, seq desc limit $${args.length}`,
        values: args,
        rowMode: 'array',
      }),
    );
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    return { items: page.map(runView), next_cursor: rows.length > f.limit && last ? encodeCursor(last) : null };
  }

  async view(id: string): Promise<RunView> {
    const [row, steps] = await Promise.all([this.mustRow(id), this.stepRows(id)]);
    return { ...runView(row), steps: steps.map(stepView) };
  }

  async stepRows(id: string): Promise<StepRow[]> {
    return (await this.pool.query<StepRow>(`select ${STEP_COLUMNS} from run_steps where run_id = $1 order by idx`, [id])).rows;
  }

  /** Every artifact of a run, with the step that made it. */
  async artifacts(id: string): Promise<(ArtifactRef & { step: number })[]> {
    return artifactsOf(await this.stepRows(id));
  }

  /** Runs created since, and runs finished since with how many needed more than one attempt. */
  async countsSince(since: number): Promise<{ created: number; finished: number; retried: number }> {
    const r = await this.pool.query<{ created: number; finished: number; retried: number }>(
      `select (select count(*)::int from runs where created_at >= $1) as created,
              count(*)::int as finished, count(*) filter (where attempts > 1)::int as retried
         from runs where finished_at >= $1 and status in ${FINAL_SQL}`,
      [since],
    );
    return r.rows[0]!;
  }
}
