import type { Database, Statement } from 'better-sqlite3';
import type { RunView } from '@shared/contract/runs';
import type { RunStatus } from '@shared/domain/runs';
import type { ArtifactRef } from './run-state';
import { AppError } from '../kernel/errors';
import { FINAL_SQL, RUN_COLUMNS, maybeRunRow, runRowOf, type RunRow } from './run-row';
import { artifactsOf, decodeCursor, encodeCursor, runView, stepView, type StepRow } from './run-views';

export interface ListFilter {
  status?: RunStatus;
  queue?: string;
  template?: string;
  limit: number;
  cursor?: string;
}

const YAML_CACHE_SIZE = 200;

/** Reading runs: one row, the API's list and detail, steps and artifacts, counts for metrics. */
export class RunReads {
  private readonly rowStmt: Statement<[string]>;
  private readonly yamlStmt: Statement<[string]>;
  private readonly stepsStmt: Statement<[string]>;
  private readonly byKeyStmt: Statement<[string]>;
  private readonly waitingStmt: Statement<[]>;
  /** Template texts by content hash (immutable per hash), oldest dropped first. */
  private readonly yamlByHash = new Map<string, string>();

  constructor(private readonly db: Database) {
    this.rowStmt = db.prepare(`select ${RUN_COLUMNS} from runs where id = ?`).raw();
    this.yamlStmt = db.prepare('select yaml from template_contents where hash = ?');
    this.stepsStmt = db.prepare('select idx, step_id, action, status, params_json, result_json, error, error_code, attempt, started_at, finished_at, duration_ms, artifacts_json from run_steps where run_id = ? order by idx');
    this.byKeyStmt = db.prepare(`select ${RUN_COLUMNS} from runs where idempotency_key = ?`).raw();
    this.waitingStmt = db.prepare("select id from runs where status = 'waiting_approval'");
  }

  row(id: string): RunRow | undefined {
    return maybeRunRow(this.rowStmt.get(id));
  }

  /** The row, or NOT_FOUND. */
  mustRow(id: string): RunRow {
    const r = this.row(id);
    if (!r) throw new AppError('NOT_FOUND', `Run ${id} not found`);
    return r;
  }

  /** A template text by content hash; cached, as the text of a hash never changes. */
  templateYaml(hash: string): string | undefined {
    const cached = this.yamlByHash.get(hash);
    if (cached !== undefined) return cached;
    const yaml = this.yamlStmt.pluck().get(hash) as string | undefined;
    if (yaml === undefined) return undefined;
    if (this.yamlByHash.size >= YAML_CACHE_SIZE) this.yamlByHash.delete(this.yamlByHash.keys().next().value!);
    this.yamlByHash.set(hash, yaml);
    return yaml;
  }

  byIdempotencyKey(key: string): RunRow | undefined {
    return maybeRunRow(this.byKeyStmt.get(key));
  }

  waitingForApproval(): string[] {
    return this.waitingStmt.pluck().all() as string[];
  }

  list(f: ListFilter): { items: Omit<RunView, 'steps'>[]; next_cursor: string | null } {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [column, value] of [['status', f.status], ['queue', f.queue], ['template', f.template]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      where.push('(created_at < ? or (created_at = ? and rowid < ?))');
      args.push(c.created, c.created, c.rowid);
    }
    const rows = this.db
      .prepare(`select ${RUN_COLUMNS} from runs ${where.length ? 'where ' + where.join(' and ') : ''} order by created_at desc, rowid desc limit ?`)
      .raw()
      .all(...args, f.limit + 1)
      .map((v) => runRowOf(v as unknown[]));
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(runView),
      next_cursor: rows.length > f.limit && last ? encodeCursor(last) : null,
    };
  }

  view(id: string): RunView {
    return { ...runView(this.mustRow(id)), steps: this.stepRows(id).map(stepView) };
  }

  stepRows(id: string): StepRow[] {
    return this.stepsStmt.all(id) as StepRow[];
  }

  /** Every artifact of a run, with the step that made it. */
  artifacts(id: string): (ArtifactRef & { step: number })[] {
    return artifactsOf(this.stepRows(id));
  }

  /** Has the run a failed step row (its failures were reported step by step)? */
  hasFailedStep(id: string): boolean {
    return this.db.prepare("select 1 from run_steps where run_id = ? and status = 'failed' limit 1").get(id) !== undefined;
  }

  /** Runs created since, and runs finished since with how many needed more than one attempt. */
  countsSince(since: number): { created: number; finished: number; retried: number } {
    const created = this.db.prepare('select count(*) from runs where created_at >= ?').pluck().get(since) as number;
    const f = this.db
      .prepare(`select count(*) as n, coalesce(sum(attempts > 1), 0) as retried from runs where finished_at >= ? and status in ${FINAL_SQL}`)
      .get(since) as { n: number; retried: number };
    return { created, finished: f.n, retried: f.retried };
  }
}
