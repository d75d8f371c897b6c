import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_LOCKED, DESKTOP_LOCKED_RECHECK_MS } from '@shared/domain/runs';
import { tempCore, until, type TempCore } from '../../../test-support/temp-core';
import { hasCommand, startXvfb, type XServer } from '../../../test-support/xvfb';
import type { QueueModule } from './queue-module';

/**
 * A locked screen defers a desktop run and is not an attempt (issues 14 and 17): the real core
 * (real SQLite, the real engine and desktop preflight on a private Xvfb), the lock as Electron's
 * powerMonitor reports it (`screenLocked`), time on a FakeClock.
 */

// Skipped only where no X server can be started (CI installs xvfb: see .ci/run).
const canRun = hasCommand('Xvfb');
const TEMPLATE = 'dsl_version: "1.1"\nname: desktop-move\nsteps:\n  - mouse_move: { x: 10, y: 20 }\n';
const DEFERRALS = 3;

let x: XServer;
let t: TempCore | undefined;
let previousDisplay: string | undefined;

describe.skipIf(!canRun)('a desktop run while the screen is locked', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    x = await startXvfb(640, 480);
    previousDisplay = process.env.DISPLAY;
    // The desktop preflight reads DISPLAY from process.env when a step runs.
    process.env.DISPLAY = x.display;
  });
  afterAll(async () => {
    await t?.cleanup();
    if (previousDisplay === undefined) delete process.env.DISPLAY;
    else process.env.DISPLAY = previousDisplay;
    await x?.stop();
  });

  it(`is deferred ${DEFERRALS} times without using an attempt, then runs once unlocked: attempts 1, Started is the real start`, async () => {
    let locked = true;
    t = await tempCore({ fakeClock: true, screenLocked: () => locked });
    const clock = t.clock!;
    const core = t.core;
    const { queue } = core.modules.find((m) => m.name === 'queue') as QueueModule;
    const view = (id: string) => {
      core.writes.flush();
      return core.runs.read.view(id);
    };
    const { run_id: id } = queue.enqueue({ template_yaml: TEMPLATE }, { trigger: 'api', requestedBy: 'tester' });

    for (let i = 1; i <= DEFERRALS; i++) {
      const deferredAt = clock.now();
      const deferred = await until(`deferral ${i}`, () => {
        const v = view(id);
        return v.status === 'retry_wait' && Date.parse(v.available_at!) === deferredAt + DESKTOP_LOCKED_RECHECK_MS && v;
      });
      // Why it waits is on the run; the wait is no attempt and the run has not started.
      expect(deferred).toMatchObject({ error_code: DESKTOP_LOCKED, attempts: 0, attempt_history: [], started_at: null });
      await clock.advanceAsync(DESKTOP_LOCKED_RECHECK_MS);
    }

    locked = false;
    const realStart = clock.now() + DESKTOP_LOCKED_RECHECK_MS;
    await clock.advanceAsync(DESKTOP_LOCKED_RECHECK_MS);
    const done = await until('the run to finish', () => {
      const v = view(id);
      return ['succeeded', 'failed', 'cancelled'].includes(v.status) && v;
    });
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(1);
    expect(done.started_at).toBe(new Date(realStart).toISOString());
    expect(done.attempt_history).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded', started_at: new Date(realStart).toISOString(), error_code: null })]);
    expect(done.error_code).toBeNull();
    expect(done.steps).toEqual([expect.objectContaining({ action: 'mouse_move', status: 'succeeded', error_code: null, started_at: new Date(realStart).toISOString() })]);
  });
});
