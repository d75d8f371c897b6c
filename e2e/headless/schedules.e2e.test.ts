import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, type ServeProcess } from '../support/serve-process';
import { poll } from '../support/poll';

/** The scheduler under `serve` in real time: the API, the file write-back and fire times. */

const ADMIN = { DESKTOP_AGENT_ADMIN_USER: 'admin', DESKTOP_AGENT_ADMIN_PASSWORD: 'schedules-test-pw-1' };
const auth = { authorization: 'Basic ' + Buffer.from('admin:schedules-test-pw-1').toString('base64') };

interface Fire {
  scheduled_at: string;
  outcome: string;
  run_id: string | null;
}

describe('schedules under serve (real time)', () => {
  let serve: ServeProcess;
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${serve.url}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const file = () => join(serve.dataDir, 'configs', 'schedules.yaml');

  beforeAll(async () => {
    serve = await startServeProcess([], ADMIN);
    const t = await api('POST', '/api/templates', { name: 'tick', yaml: 'dsl_version: "1.1"\nname: tick\nsteps:\n  - log: { message: "tick {{trigger.scheduled_time}}" }\n' });
    expect(t.status).toBe(201);
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('a 6-field every-second schedule: runs start within 1 s of the cron times, exactly the times previewed', async () => {
    const created = await api('POST', '/api/schedules', { id: 'every_second', name: '毎秒', cron: '* * * * * *', template: 'tick', timezone: 'UTC', overlap: 'allow' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: 'every_second', zone: 'UTC', problem: null });
    const preview = (await api('GET', '/api/schedules/every_second/next?count=10')).body.items as string[];
    expect(preview).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(Date.parse(preview[i]!) - Date.parse(preview[i - 1]!)).toBe(1000);
    // Written back to the file, its comment kept.
    const text = readFileSync(file(), 'utf8');
    expect(text).toContain('# Cron schedules (SPEC section 6)');
    expect(text).toContain('cron: "* * * * * *"');

    const history = await poll(
      'five fires',
      async () => (await api('GET', '/api/schedules/every_second/history?limit=100')).body.items as Fire[],
      (items) => items.filter((f) => Date.parse(f.scheduled_at) <= Date.parse(preview[9]!)).length >= 10,
    );
    const fired = history.filter((f) => Date.parse(f.scheduled_at) <= Date.parse(preview[9]!)).reverse();
    expect(fired.map((f) => f.scheduled_at)).toEqual(preview);
    expect(fired.every((f) => f.outcome === 'fired' && f.run_id)).toBe(true);
    for (const f of fired) {
      const run = await poll(`run ${f.run_id}`, async () => (await api('GET', `/api/runs/${f.run_id}`)).body, (r) => typeof r.started_at === 'string');
      expect(run.trigger).toBe('schedule:every_second');
      const lag = Date.parse(run.started_at as string) - Date.parse(f.scheduled_at);
      expect(lag, `run ${f.run_id} started ${lag} ms after ${f.scheduled_at}`).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(1000);
    }
  });

  it('disable through the API stops the fires; an edit of the file is picked up', async () => {
    const off = await api('PATCH', '/api/schedules/every_second', { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, next_fire_at: null });
    expect(readFileSync(file(), 'utf8')).toMatch(/id: every_second[\s\S]*enabled: false/);
    expect((await api('GET', '/api/schedules/every_second/next')).body.items).toEqual([]);

    writeFileSync(file(), readFileSync(file(), 'utf8').replace('cron: "0 9 * * *"', 'cron: "15 10 * * *"'));
    const listed = await poll(
      'the edited file',
      async () => (await api('GET', '/api/schedules')).body.items as { id: string; cron: string }[],
      (items) => items.some((s) => s.id === 'daily_report' && s.cron === '15 10 * * *'),
    );
    expect(listed.map((s) => s.id)).toEqual(['daily_report', 'every_second']);
  });

  it('refuses a bad schedule at the field, an unknown id, a duplicate; delete removes it from the file', async () => {
    const bad = await api('POST', '/api/schedules', { id: 'bad', name: 'bad', cron: '0 25 * * *', template: 'nope', timezone: 'Mars/Base' });
    expect(bad.status).toBe(400);
    const issues = (bad.body.error as { details: { issues: { path: string; message: string }[] } }).details.issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['template', 'timezone']);
    const badCron = await api('POST', '/api/schedules', { id: 'bad', name: 'bad', cron: '0 25 * * *', template: 'tick' });
    expect((badCron.body.error as { details: { issues: unknown[] } }).details.issues).toEqual([{ path: 'cron', message: "cron '0 25 * * *': hour: 25 is outside 0-23" }]);
    expect((await api('POST', '/api/schedules', { id: 'every_second', name: 'x', cron: '@daily', template: 'tick' })).status).toBe(409);
    expect((await api('PATCH', '/api/schedules/none', { enabled: true })).status).toBe(404);
    expect((await api('DELETE', '/api/schedules/every_second')).status).toBe(200);
    expect(readFileSync(file(), 'utf8')).not.toContain('every_second');
  });
});
