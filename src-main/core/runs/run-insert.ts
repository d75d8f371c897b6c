import type { Database, Statement } from 'better-sqlite3';
import { transactions, type Transactions } from '../db/transactions';
import type { RunSubject } from './run-row';

/** A new run as the queue (enqueue) or the CLI (a local run) creates it. */
export interface NewRun extends RunSubject {
  /** `trigger.*` in templates; masked already. */
  triggerData?: Record<string, unknown>;
  queue: string;
  priority: number;
  concurrencyTag: string | null;
  idempotencyKey?: string | null;
  /** `queued` for the queue; `running` for a run this process executes at once (the CLI). */
  status: 'queued' | 'running';
  now: number;
  retryJson?: string | null;
  timeoutMs?: number | null;
  retryOf?: string | null;
  leaseOwner?: string | null;
  leaseExpiresAt?: number | null;
}

/** Inserting runs (and, once per content hash, their template text). */
export class RunInserts {
  private readonly insertRun: Statement;
  private readonly insertContent: Statement<[string, string]>;
  /** Template contents known to be stored, so an enqueue of a known template writes only its run. */
  private readonly storedContents = new Set<string>();

  private readonly tx: Transactions;

  constructor(db: Database) {
    this.tx = transactions(db);
    // Positional parameters: binding an object looks every name up on it, on every run (issue 18).
    this.insertRun = db.prepare(`insert into runs (id, template, template_hash, variables_json, trigger, trigger_json, requested_by,
        queue, priority, concurrency_tag, dry_run, idempotency_key, status, attempts, available_at, enqueued_at, created_at, started_at,
        retry_json, timeout_ms, retry_of, lease_owner, lease_expires_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertContent = db.prepare('insert or ignore into template_contents(hash, yaml) values (?, ?)');
  }

  /** All or none, in one transaction: committed before anyone is told the runs exist. */
  insertMany(runs: readonly NewRun[]): void {
    if (!runs.length) return;
    const stored: string[] = [];
    this.tx.run(() => {
      for (const run of runs) if (this.insertOne(run)) stored.push(run.templateHash);
    });
    // Remembered only once committed: a rolled-back insert must not hide a missing content.
    for (const hash of stored) this.storedContents.add(hash);
  }

  /**
   * One run inside the caller's open transaction, with no savepoint of its own (a group commit that
   * rolls its whole transaction back on any error keeps it all or none; a savepoint per run cost more
   * than the run's own rows). Call the returned function once that transaction has committed.
   */
  insertInTransaction(run: NewRun): () => void {
    const content = this.insertOne(run);
    // Remembered only once committed, as in insertMany.
    return () => {
      if (content) this.storedContents.add(run.templateHash);
    };
  }

  /** True when it stored the template content too. */
  private insertOne(run: NewRun): boolean {
    const content = !this.storedContents.has(run.templateHash);
    if (content) this.insertContent.run(run.templateHash, run.templateYaml);
    const running = run.status === 'running';
    this.insertRun.run(
      run.id,
      run.template,
      run.templateHash,
      JSON.stringify(run.variables),
      run.trigger,
      triggerJson(run),
      run.requestedBy,
      run.queue,
      run.priority,
      run.concurrencyTag,
      run.dryRun ? 1 : 0,
      run.idempotencyKey ?? null,
      run.status,
      running ? 1 : 0,
      run.now,
      run.now,
      run.now,
      running ? run.now : null,
      run.retryJson ?? null,
      run.timeoutMs ?? null,
      run.retryOf ?? null,
      run.leaseOwner ?? null,
      run.leaseExpiresAt ?? null,
    );
    return content;
  }

  /** Retention removed unreferenced contents (run-retention.ts tells us): forget what we knew. */
  forgetContents(): void {
    this.storedContents.clear();
  }
}

/** `trigger_json`: the trigger's type and its data (`trigger.*` in templates). */
export function triggerJson(run: NewRun): string {
  const colon = run.trigger.indexOf(':');
  const type = colon < 0 ? run.trigger : run.trigger.slice(0, colon);
  return run.triggerData && Object.keys(run.triggerData).length ? JSON.stringify({ type, ...run.triggerData }) : JSON.stringify({ type });
}
