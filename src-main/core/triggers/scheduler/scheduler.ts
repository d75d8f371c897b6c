import type { Database } from 'better-sqlite3';
import type { ScheduleConfig } from '@shared/config';
import { parseCron, type CronSpec } from '@shared/cron/cron-parse';
import type { EventBus } from '../../kernel/event-bus';
import type { Clock, Logger, TimerHandle } from '../../kernel/ports';
import type { TriggerQueue } from '../ports';
import { nextFireAfter } from './fire-times';
import { planDue, type DuePlan } from './due-plan';
import { ScheduleStore, type FireOutcome, type ScheduleStateRow } from './schedule-store';
import { isValidZone, localZone } from './zone-time';

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  queue: TriggerQueue;
  /** Is this run still queued, running or waiting (for `overlap`)? */
  runActive(runId: string): boolean;
  /** The schedules of schedules.yaml as they are now. */
  schedules(): readonly ScheduleConfig[];
  /** The zone of a schedule without `timezone` (the machine's). */
  defaultZone?: string;
  /** A time handled no later than this after it is due counts as on time; older ones are missed (catch_up). */
  graceMs?: number;
  /** The longest the scheduler sleeps between looks at the clock, so a wall-clock jump is seen. */
  heartbeatMs?: number;
  /** catch_up: all runs at most this many missed times; older ones are recorded as missed. */
  maxCatchUp?: number;
  /** History older than this is pruned. */
  historyDays?: number;
}

export interface ActiveSchedule {
  config: ScheduleConfig;
  spec: CronSpec;
  zone: string;
  fingerprint: string;
}

export interface ScheduleProblem {
  id: string;
  message: string;
}

const HOUR = 3_600_000;

/**
 * Fires schedules at their cron times (SPEC section 6). The next *scheduled* time of every enabled
 * schedule is persisted; each look at the clock handles every time up to now, records it in the
 * ledger (schedule_fires, unique per time) and moves the persisted time on, in one transaction with
 * the enqueue. A restart, a sleep or a late timer therefore resumes from the ledger: nothing is lost
 * and nothing fires twice. Timers never sleep longer than `heartbeatMs`, so a wall-clock jump (the
 * machine slept) is noticed within that; `resume()` looks at once (Electron's powerMonitor).
 */
export class Scheduler {
  private readonly store: ScheduleStore;
  private readonly log: Logger;
  private active = new Map<string, ActiveSchedule>();
  private states = new Map<string, ScheduleStateRow>();
  private problemList: ScheduleProblem[] = [];
  private timer: TimerHandle | undefined;
  private running = false;
  private lastLook: number | undefined;
  private lastPrune = 0;
  private readonly graceMs: number;
  private readonly heartbeatMs: number;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: SchedulerOptions) {
    this.store = new ScheduleStore(o.db);
    this.log = o.logger;
    this.graceMs = o.graceMs ?? 60_000;
    this.heartbeatMs = o.heartbeatMs ?? 10_000;
  }

  start(): void {
    this.running = true;
    // overlap: queue — a waiting time starts when the run before it finishes.
    this.unsubscribe = this.o.bus.on('run.finished', ({ data: { runId } }) => {
      for (const [id, st] of this.states) if (st.last_run_id === runId) this.drainWaiting(id);
    });
    this.reload();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.unsubscribe?.();
  }

  /** The machine woke up (or the host thinks time moved): look at the clock now. */
  resume(): void {
    this.log.info('Resumed; handling the times that came due meanwhile');
    this.look();
  }

  /** Re-reads the schedules (after schedules.yaml changed) and reconciles the persisted times. */
  reload(): void {
    const now = this.o.clock.now();
    const active = new Map<string, ActiveSchedule>();
    const problems: ScheduleProblem[] = [];
    for (const config of this.o.schedules()) {
      const compiled = compileSchedule(config, this.o.defaultZone);
      if ('message' in compiled) problems.push({ id: config.id, message: compiled.message });
      else if (config.enabled) active.set(config.id, compiled);
    }
    this.o.db.transaction(() => {
      for (const st of this.store.states()) if (!active.has(st.schedule_id)) this.store.deleteState(st.schedule_id);
      for (const s of active.values()) {
        const st = this.store.state(s.config.id);
        if (st && st.fingerprint === s.fingerprint) continue;
        // New, re-enabled or changed: the first time is the next one from now (nothing before it is "missed").
        this.store.saveState({ schedule_id: s.config.id, fingerprint: s.fingerprint, next_at: nextFireAfter(s.spec, s.zone, now) ?? null, last_run_id: st?.last_run_id ?? null, updated_at: now });
      }
    })();
    for (const p of problems) this.log.error(`Schedule '${p.id}' is not scheduled: ${p.message}`, { scheduleId: p.id });
    this.active = active;
    this.problemList = problems;
    this.states = new Map(this.store.states().map((s) => [s.schedule_id, s]));
    this.look();
  }

  get problems(): readonly ScheduleProblem[] {
    return this.problemList;
  }

  schedule(id: string): ActiveSchedule | undefined {
    return this.active.get(id);
  }

  /** The persisted next time of an enabled schedule. */
  nextAt(id: string): number | undefined {
    return this.states.get(id)?.next_at ?? undefined;
  }

  get ledger(): ScheduleStore {
    return this.store;
  }

  /** Handles every due time of every schedule, then sleeps until the next one (at most a heartbeat). */
  private look(): void {
    if (!this.running) return;
    this.timer?.cancel();
    this.timer = undefined;
    const now = this.o.clock.now();
    if (this.lastLook !== undefined && now - this.lastLook > this.heartbeatMs + this.graceMs) {
      this.log.warn('The clock jumped (the machine slept or the time was changed); catching up', { gapMs: now - this.lastLook });
    }
    this.lastLook = now;
    for (const s of this.active.values()) {
      try {
        this.handleDue(s, now);
      } catch (e) {
        this.log.error(`Schedule '${s.config.id}' could not be handled; will try again`, { scheduleId: s.config.id, error: e as Error });
      }
    }
    if (now - this.lastPrune > HOUR) {
      this.lastPrune = now;
      this.store.pruneBefore(now - (this.o.historyDays ?? 30) * 24 * HOUR);
    }
    let wake = now + this.heartbeatMs;
    for (const st of this.states.values()) if (st.next_at !== null && st.next_at < wake) wake = st.next_at;
    // The delay counts from the clock as it is now, after the fires' commits: from `now` it would
    // land late by however long this look took (the next fire of an every-second schedule too).
    this.timer = this.o.clock.setTimer(Math.max(0, wake - this.o.clock.now()), () => this.look());
  }

  private handleDue(s: ActiveSchedule, now: number): void {
    const st = this.states.get(s.config.id);
    if (!st || st.next_at === null || st.next_at > now) return;
    this.drainWaiting(s.config.id);
    const plan = planDue({ spec: s.spec, zone: s.zone, first: st.next_at, now, graceMs: this.graceMs, catchUp: s.config.catch_up, maxCatchUp: this.o.maxCatchUp ?? 1000 });
    const fired: { at: number; outcome: FireOutcome; runId: string | null }[] = [];
    this.o.db.transaction(() => {
      for (const m of plan.missed) {
        this.store.recordFire({ schedule_id: s.config.id, scheduled_at: m.at, outcome: 'missed', handled_at: now, run_id: null, error: null, folded_count: m.count, folded_until: m.until ?? null });
      }
      for (const r of plan.run) fired.push({ at: r.at, ...this.fireOne(s, st, r.at, r.late ? 'caught_up' : 'fired', now) });
      st.next_at = plan.next ?? null;
      st.updated_at = now;
      this.store.saveState(st);
    })();
    this.announce(s, plan, fired);
  }

  /** One scheduled time: enqueue (or skip/wait for the previous run, per `overlap`) and record it. */
  private fireOne(s: ActiveSchedule, st: ScheduleStateRow, at: number, outcome: FireOutcome, now: number): { outcome: FireOutcome; runId: string | null } {
    const id = s.config.id;
    const row = { schedule_id: id, scheduled_at: at, handled_at: now, folded_count: 1, folded_until: null };
    const blocked = s.config.overlap !== 'allow' && ((st.last_run_id !== null && this.o.runActive(st.last_run_id)) || (s.config.overlap === 'queue' && this.store.oldestWaiting(id) !== undefined));
    if (blocked) {
      const result: FireOutcome = s.config.overlap === 'skip' ? 'skipped' : 'waiting';
      this.store.recordFire({ ...row, outcome: result, run_id: null, error: result === 'skipped' ? `run ${st.last_run_id} of this schedule was still active (overlap: skip)` : null });
      return { outcome: result, runId: null };
    }
    try {
      const runId = this.enqueue(s, at);
      this.store.recordFire({ ...row, outcome, run_id: runId, error: null });
      st.last_run_id = runId;
      return { outcome, runId };
    } catch (e) {
      const message = (e as Error).message;
      this.log.error(`Schedule '${id}' could not queue its run`, { scheduleId: id, scheduledTime: new Date(at).toISOString(), error: message });
      this.store.recordFire({ ...row, outcome: 'failed', run_id: null, error: message });
      return { outcome: 'failed', runId: null };
    }
  }

  private enqueue(s: ActiveSchedule, at: number): string {
    const c = s.config;
    const scheduledTime = new Date(at).toISOString();
    return this.o.queue.enqueue(
      { template: c.template, variables: c.variables, queue: c.queue, priority: c.priority, idempotency_key: `schedule:${c.id}@${scheduledTime}` },
      { trigger: `schedule:${c.id}`, triggerData: { schedule_id: c.id, scheduled_time: scheduledTime }, requestedBy: null },
    ).run_id;
  }

  /** overlap: queue — starts the oldest waiting time once the schedule's last run is no longer active. */
  private drainWaiting(id: string): void {
    const s = this.active.get(id);
    const st = this.states.get(id);
    if (!s || !st || s.config.overlap !== 'queue') return;
    if (st.last_run_id !== null && this.o.runActive(st.last_run_id)) return;
    const waiting = this.store.oldestWaiting(id);
    if (!waiting) return;
    const now = this.o.clock.now();
    try {
      const runId = this.enqueue(s, waiting.scheduled_at);
      this.o.db.transaction(() => {
        this.store.updateFire({ schedule_id: id, scheduled_at: waiting.scheduled_at, outcome: 'fired', handled_at: now, run_id: runId, error: null });
        st.last_run_id = runId;
        this.store.saveState(st);
      })();
      this.o.bus.publish('schedule.fired', { scheduleId: id, runId, scheduledTime: new Date(waiting.scheduled_at).toISOString(), outcome: 'fired' });
    } catch (e) {
      this.store.updateFire({ schedule_id: id, scheduled_at: waiting.scheduled_at, outcome: 'failed', handled_at: now, run_id: null, error: (e as Error).message });
    }
  }

  private announce(s: ActiveSchedule, plan: DuePlan, fired: { at: number; outcome: FireOutcome; runId: string | null }[]): void {
    const id = s.config.id;
    const missed = plan.missed.reduce((n, m) => n + m.count, 0);
    if (missed) {
      const first = plan.missed[0]!.at;
      this.log.warn(`Schedule '${id}' missed ${missed} time(s) (catch_up: ${s.config.catch_up})`, { scheduleId: id, first: new Date(first).toISOString() });
      this.o.bus.publish('schedule.missed', { scheduleId: id, scheduledTime: new Date(first).toISOString(), count: missed });
    }
    for (const f of fired) {
      this.log.info(`Schedule '${id}' ${f.outcome}`, { scheduleId: id, scheduledTime: new Date(f.at).toISOString(), runId: f.runId });
      this.o.bus.publish('schedule.fired', { scheduleId: id, runId: f.runId ?? undefined, scheduledTime: new Date(f.at).toISOString(), outcome: f.outcome });
    }
  }
}

/** A schedule's cron and zone checked and compiled, or what is wrong with them. */
export function compileSchedule(config: ScheduleConfig, defaultZone?: string): ActiveSchedule | { message: string; field: string } {
  const zone = config.timezone ?? defaultZone ?? localZone();
  if (!isValidZone(zone)) return { message: `timezone '${zone}' is not an IANA zone name (like Asia/Tokyo)`, field: 'timezone' };
  try {
    const spec = parseCron(config.cron);
    return { config, spec, zone, fingerprint: `${spec.source}|${zone}` };
  } catch (e) {
    return { message: `cron '${config.cron}': ${(e as Error).message}`, field: 'cron' };
  }
}
