import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/contract/runs';
import { REPO_ROOT, asUser, tempCore, until, type TempCore } from '../../../test-support/temp-core';
import { FAST_SCRYPT, addUser, basic, bearer, call, httpContext, passwordOf } from '../../../test-support/users';
import type { QueueModule } from './queue-module';

/** Issue 14 item 10: what a run record says about attempts, its start, its trigger and its template. */

let t: TempCore;
afterEach(async () => t?.cleanup());

const queueOf = (t: TempCore) => (t.core.modules.find((m) => m.name === 'queue') as QueueModule).queue;
const view = (id: string) => t.core.invoke<RunView>('runs.get', { id }, asUser('Viewer'));


describe('run records', () => {
  it('does not count waiting for an approval as an attempt, and keeps "Started" at the first start', async () => {
    t = await tempCore();
    const { run_id: id } = queueOf(t).enqueue(
      { template_yaml: 'dsl_version: "1.1"\nname: confirm\nsteps:\n  - log: { message: before }\n  - human_confirm: { message: "OK?" }\n  - log: { message: after }\n' },
      { trigger: 'api', requestedBy: 'tester' },
    );
    const waiting = await until('the approval wait', async () => ((await view(id)).status === 'waiting_approval' ? view(id) : undefined));
    expect(waiting.started_at).not.toBeNull();
    await until('the resume to be later than the start', () => Date.now() > Date.parse(waiting.started_at!));
    t.core.runs.recordApprovalDecision(id, { outcome: 'approved', by: 'editor', at: new Date().toISOString() });
    queueOf(t).requeueWaiting(id);
    const done = await until('the run to end', async () => {
      const v = await view(id);
      return ['succeeded', 'failed'].includes(v.status) && v;
    });
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(1);
    expect(done.started_at).toBe(waiting.started_at);
    expect(done.attempt_history).toHaveLength(1);
    expect(done.attempt_history[0]).toMatchObject({ attempt: 1, status: 'succeeded', started_at: waiting.started_at });
  });

  it('records runs started by a person in the served UI as manual, and scripted API calls as api', async () => {
    t = await tempCore({ users: { scrypt: FAST_SCRYPT } });
    await addUser(t.core, 'rita', 'Runner');
    const login = await t.core.invoke<{ token: string }>('auth.login', { username: 'rita', password: passwordOf('rita') }, { principal: { kind: 'anonymous' }, source: '127.0.0.1' });
    const yaml = 'dsl_version: "1.1"\nname: hi\nsteps:\n  - log: { message: hi }\n';
    const enqueueAs = async (headers: { authorization?: string; cookie?: string }) => {
      const r = await call(t.core, 'runs.enqueue', { template_yaml: yaml }, await httpContext(t.core, headers));
      if (!r.ok) throw new Error(r.error.message);
      return (r.data as { run_id: string }).run_id;
    };
    t.core.users.service.count(); // the users module is up
    // The Runner may not send template_yaml everywhere; an Admin does it for this test.
    await addUser(t.core, 'ada', 'Admin');
    const adminLogin = await t.core.invoke<{ token: string }>('auth.login', { username: 'ada', password: passwordOf('ada') }, { principal: { kind: 'anonymous' }, source: '127.0.0.1' });
    const fromUi = await enqueueAs({ cookie: adminLogin.token });
    const fromScriptSession = await enqueueAs({ authorization: bearer(adminLogin.token) });
    const fromBasic = await enqueueAs({ authorization: basic('ada') });
    expect(login.token).toBeTruthy();
    expect((await view(fromUi)).trigger).toBe('manual');
    expect((await view(fromScriptSession)).trigger).toBe('api');
    expect((await view(fromBasic)).trigger).toBe('api');
  });

  it('records one template identity whether a run names it with .yaml, without, or sends its YAML text', async () => {
    t = await tempCore();
    const queue = queueOf(t);
    queue.pauseQueue('default', null); // nothing runs: only the records matter here
    const text = readFileSync(join(REPO_ROOT, 'configs', 'templates', 'weekly_report.yaml'), 'utf8');
    const origin = { trigger: 'api', requestedBy: 'tester' };
    const ids = [queue.enqueue({ template: 'weekly_report.yaml' }, origin), queue.enqueue({ template: 'weekly_report' }, origin), queue.enqueue({ template_yaml: text }, origin)].map((r) => r.run_id);
    for (const id of ids) expect((await view(id)).template).toBe('weekly_report');
    const listed = await t.core.invoke<{ items: { id: string }[] }>('runs.list', { template: 'weekly_report', limit: 50 }, asUser('Viewer'));
    expect(listed.items.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
