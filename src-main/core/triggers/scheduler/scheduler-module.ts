import { scheduleSchema, type ScheduleConfig } from '@shared/config';
import type { Issue } from '@shared/contract/errors';
import type { ScheduleFireView, ScheduleView, schedulesContract } from '@shared/contract/schedules';
import { isoAt } from '../../kernel/clock';
import { conflict, notFound } from '../../kernel/errors';
import { contractHandlers, type CoreModule, type Handler } from '../../kernel/module';
import { configListWriter } from '../config-list-file';
import type { TriggerModulePorts } from '../ports';
import { definedFields, referenceIssues, rejectIssues } from '../trigger-checks';
import { DAY_MS } from '../../kernel/clock';
import { fireTimesAfter } from './fire-times';
import type { FireRow } from './schedule-store';
import { compileSchedule, Scheduler } from './scheduler';

type Handlers = { [N in keyof typeof schedulesContract]: Handler<(typeof schedulesContract)[N]> };

export interface SchedulerModuleOptions extends TriggerModulePorts {
  runActive(runId: string): boolean;
  defaultZone?: string;
}

export interface SchedulerModule extends CoreModule {
  scheduler: Scheduler;
  /** The machine woke up (Electron powerMonitor `resume`): handle what came due at once. */
  resume(): void;
  /** Every schedule as the list shows it (last/next fire, 24 h counts from the ledger), for GET /metrics. */
  views(): ScheduleView[];
}

export function fireView(r: FireRow): ScheduleFireView {
  return { scheduled_at: isoAt(r.scheduled_at), outcome: r.outcome, handled_at: isoAt(r.handled_at), run_id: r.run_id, error: r.error, count: r.folded_count, until: r.folded_until === null ? null : isoAt(r.folded_until) };
}

/** The scheduler as a core module: schedules.* procedures, write-back to schedules.yaml, hot reload. */
export function createSchedulerModule(o: SchedulerModuleOptions): SchedulerModule {
  const schedules = () => o.config.get('schedules.yaml').schedules;
  const scheduler = new Scheduler({ db: o.db, clock: o.clock, logger: o.logger, bus: o.bus, queue: o.queue, runActive: o.runActive, schedules, defaultZone: o.defaultZone });
  let unwatch: (() => void) | undefined;

  const find = (id: string): ScheduleConfig => {
    const s = schedules().find((x) => x.id === id);
    if (!s) throw notFound(`Schedule '${id}'`);
    return s;
  };

  const view = (s: ScheduleConfig, counts: Map<string, { fired: number; missed: number; failed: number }>): ScheduleView => {
    const compiled = compileSchedule(s, o.defaultZone);
    const last = scheduler.ledger.history(s.id, 1)[0];
    const c = counts.get(s.id);
    const next = s.enabled ? scheduler.nextAt(s.id) : undefined;
    return {
      ...s,
      zone: 'zone' in compiled ? compiled.zone : (s.timezone ?? ''),
      next_fire_at: next === undefined ? null : isoAt(next),
      problem: 'message' in compiled ? compiled.message : null,
      last: last ? { scheduled_at: isoAt(last.scheduled_at), outcome: last.outcome, run_id: last.run_id } : null,
      fired_24h: c?.fired ?? 0,
      missed_24h: c?.missed ?? 0,
      failed_24h: c?.failed ?? 0,
    };
  };
  const countsNow = () => new Map(scheduler.ledger.countsSince(o.clock.now() - DAY_MS).map((c) => [c.schedule_id, c]));

  const check = (s: ScheduleConfig): void => {
    const compiled = compileSchedule(s, o.defaultZone);
    const issues: Issue[] = 'message' in compiled ? [{ path: compiled.field, message: compiled.message }] : [];
    rejectIssues('Schedule', s.id, [...issues, ...referenceIssues(o, s)]);
  };

  const write = configListWriter(o.config, 'schedules.yaml', 'schedules', 'Schedule');

  const views = () => {
    const counts = countsNow();
    return schedules().map((s) => view(s, counts));
  };
  const handlers: Handlers = {
    'schedules.list': () => ({ items: views() }),
    'schedules.create': (input) => {
      if (schedules().some((s) => s.id === input.id)) throw conflict(`A schedule with id '${input.id}' already exists`);
      check(input);
      write({ op: 'add', item: definedFields(input) });
      return view(find(input.id), countsNow());
    },
    'schedules.update': ({ id, ...patch }) => {
      const current = find(id);
      const { timezone, ...rest } = patch;
      const merged = scheduleSchema.parse({ ...current, ...rest, timezone: timezone === null ? undefined : (timezone ?? current.timezone) });
      check(merged);
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined && v !== null));
      write({ op: 'update', id, set, unset: timezone === null ? ['timezone'] : [] });
      return view(find(id), countsNow());
    },
    'schedules.delete': ({ id }) => {
      find(id);
      write({ op: 'remove', id });
      return { ok: true as const };
    },
    'schedules.next': ({ id, count }) => {
      const s = find(id);
      const active = scheduler.schedule(id);
      const first = scheduler.nextAt(id);
      if (!s.enabled || !active || first === undefined) return { id, zone: active?.zone ?? s.timezone ?? '', items: [] };
      // The persisted next time is what fires next; the rest follow from it exactly as the scheduler computes them.
      return { id, zone: active.zone, items: [first, ...fireTimesAfter(active.spec, active.zone, first, count - 1)].map(isoAt) };
    },
    'schedules.history': ({ id, limit }) => {
      find(id);
      return { items: scheduler.ledger.history(id, limit).map(fireView) };
    },
  };

  return {
    name: 'scheduler',
    scheduler,
    handlers: contractHandlers(handlers),
    resume: () => scheduler.resume(),
    views,
    start: () => {
      unwatch = o.config.onChange((name) => {
        if (name === 'schedules.yaml') scheduler.reload();
      });
      scheduler.start();
    },
    stop: () => {
      unwatch?.();
      scheduler.stop();
    },
  };
}
