import type { Database } from 'better-sqlite3';
import type { ApprovalView } from '@shared/contract/approvals';
import { approvalBlock } from '@shared/domain/approval-eligibility';
import { AppError } from '../kernel/errors';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, TimerHandle } from '../kernel/ports';
import type { Principal } from '../kernel/principal';
import type { RunsStorage } from '../runs';
import { DAY_MS } from '../kernel/clock';
import { ApprovalStore, type ApprovalRow, type DecidedOutcome } from './approval-store';

/** What HITL needs of the queue: hear of a run that waits for an approval; put it back in line once granted. */
export interface ApprovalQueue {
  onWaitingApproval(listener: (runId: string) => void): () => void;
  requeueWaiting(runId: string): void;
}

export interface ApprovalsOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  runs: RunsStorage;
  queue: ApprovalQueue;
  /** hitl.self_approval of orchestrator.yaml: may the requester approve their own run? */
  selfApproval: () => boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const view = (r: ApprovalRow): ApprovalView => ({ ...r, requested_at: iso(r.requested_at)!, expires_at: iso(r.expires_at)!, decided_at: iso(r.decided_at) });

/**
 * Human-in-the-loop approvals (SPEC section 9). A run that reaches `human_confirm` waits in
 * `waiting_approval` without a slot; this records the request, tells approvers (the
 * approval.requested event; desktop notices are core/notices), keeps one timer per pending deadline (nothing polls), and on a decision writes it to
 * the run's state and puts the run back in line, where the engine continues from that step.
 * Requests and deadlines are in the database, so a restart keeps them.
 */
export class Approvals {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly log: Logger;
  private readonly store: ApprovalStore;

  constructor(private readonly o: ApprovalsOptions) {
    this.log = o.logger;
    this.store = new ApprovalStore(o.db, o.runs);
  }

  /** Picks up runs that wait (also those that started waiting while the app was closed). */
  start(): void {
    const waiting = this.o.runs.read.waitingForApproval();
    for (const runId of waiting) this.recordRequest(runId);
    for (const r of this.store.pending()) this.arm(r);
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** A run stopped at a human_confirm: record the request once, arm its deadline, tell people. */
  recordRequest(runId: string): ApprovalView | undefined {
    const request = this.o.runs.pendingApproval(runId);
    if (!request) return undefined;
    const requestedAt = Date.parse(request.requested_at);
    const id = `apr_${runId.replace(/^run_/, '')}_${request.step}_${requestedAt}`;
    const existing = this.get(id);
    if (existing) return view(existing);
    const run = this.o.runs.read.mustRow(runId);
    const row: ApprovalRow = {
      id,
      run_id: runId,
      step: request.step,
      template: run.template,
      message: request.message,
      details: request.details ?? null,
      risk_level: request.risk_level,
      required_role: request.required_role,
      auto_action: request.auto_action,
      requested_by: run.requested_by,
      requested_at: requestedAt,
      expires_at: Date.parse(request.expires_at),
      status: 'pending',
      decided_by: null,
      decided_at: null,
      comment: null,
    };
    this.store.insertPending(row);
    this.arm(row);
    this.log.info('Approval requested', { approvalId: id, runId, risk: row.risk_level, expiresAt: iso(row.expires_at) });
    this.o.bus.publish('approval.requested', { approvalId: id, runId, template: row.template, message: row.message, risk_level: row.risk_level, expires_at: iso(row.expires_at) });
    return view(row);
  }

  list(status: ApprovalView['status'] | 'all', limit: number): ApprovalView[] {
    return this.store.list(status, limit).map(view);
  }

  /** The latest approval of a run (the approval page). */
  forRun(runId: string): ApprovalView | undefined {
    const r = this.store.latestForRun(runId);
    return r && view(r);
  }

  /** An approver's decision. Checks the role the request asked for and self-approval. */
  decide(id: string, outcome: 'approved' | 'denied', principal: Principal, comment?: string): ApprovalView {
    if (principal.kind !== 'user') throw new AppError('UNAUTHENTICATED', 'Sign in to decide an approval');
    const row = this.get(id);
    if (!row) throw new AppError('NOT_FOUND', `Approval ${id} not found`);
    if (row.status !== 'pending') throw new AppError('ALREADY_DECIDED', `Approval ${id} was already decided (${row.status}${row.decided_by ? ` by ${row.decided_by}` : ''})`);
    if (this.o.clock.now() >= row.expires_at) {
      this.expire(row);
      throw new AppError('ALREADY_DECIDED', `Approval ${id} expired at ${iso(row.expires_at)}; its auto_action (${row.auto_action}) applied`);
    }
    const block = approvalBlock(view(row), principal, { selfApproval: this.o.selfApproval(), now: this.o.clock.now() });
    if (block?.kind === 'role') {
      throw new AppError('FORBIDDEN', `This approval needs the role ${block.required} or higher; your role is ${principal.role}`, { required_role: block.required, role: principal.role });
    }
    if (block?.kind === 'self_approval') {
      throw new AppError('FORBIDDEN', 'You requested this run; someone else must decide its approval (hitl.self_approval is false)', { reason: 'self_approval' });
    }
    if (block) throw new AppError('FORBIDDEN', `Deciding approvals needs the respond_hitl permission; your role is ${principal.role}`, { reason: block.kind });
    return this.settle(row, outcome, principal.username, comment ?? null);
  }

  /** hitl_* figures over the last 24 h, from stored data. */
  metrics(now: number): { hitl_interventions_24h: number; hitl_approved_24h: number; hitl_denied_24h: number; hitl_timeouts_24h: number } {
    const c = this.store.countsSince(now - DAY_MS);
    return { hitl_interventions_24h: c.requested, hitl_approved_24h: c.approved, hitl_denied_24h: c.denied, hitl_timeouts_24h: c.timed_out };
  }

  private get(id: string): ApprovalRow | undefined {
    return this.store.get(id);
  }

  private arm(row: ApprovalRow): void {
    if (row.status !== 'pending' || this.timers.has(row.id)) return;
    this.timers.set(
      row.id,
      this.o.clock.setTimer(row.expires_at - this.o.clock.now(), () => {
        this.timers.delete(row.id);
        const current = this.get(row.id);
        if (current?.status === 'pending') this.expire(current);
      }),
    );
  }

  private expire(row: ApprovalRow): void {
    this.log.info('Approval timed out; its auto_action applies', { approvalId: row.id, runId: row.run_id, autoAction: row.auto_action });
    this.settle(row, 'timed_out', null, null);
  }

  private settle(row: ApprovalRow, outcome: DecidedOutcome, by: string | null, comment: string | null): ApprovalView {
    const now = this.o.clock.now();
    this.store.decide(row.id, outcome, by, now, comment);
    this.timers.get(row.id)?.cancel();
    this.timers.delete(row.id);
    // The engine reads the decision when the run continues from the human_confirm step.
    this.o.queue.requeueWaiting(row.run_id);
    this.o.bus.publish('approval.decided', { approvalId: row.id, runId: row.run_id, decision: outcome, by });
    this.log.info(`Approval ${outcome}`, { approvalId: row.id, runId: row.run_id, by });
    return view({ ...row, status: outcome, decided_by: by, decided_at: now, comment });
  }
}
