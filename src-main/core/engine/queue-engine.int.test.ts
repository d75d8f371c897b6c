import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/contract/runs';
import type { QueueModule } from '../queue/queue-module';
import { tempDir } from '../../../test-support/files';
import { asUser, tempCore, type TempCore } from '../../../test-support/temp-core';

/** The engine as the queue's executor, in a real core: what the queue engineer relies on. */

let t: TempCore;
let queue: QueueModule['queue'];
beforeEach(async () => {
  t = await tempCore();
  queue = (t.core.modules.find((m) => m.name === 'queue') as QueueModule).queue;
});
afterEach(async () => t.cleanup());

const origin = { trigger: 'api', requestedBy: 'tester' };
const settled = (runId: string, statuses: string[]) =>
  new Promise<void>((resolve) => {
    const check = () => statuses.includes(t.core.db.prepare('select status from runs where id = ?').pluck().get(runId) as string);
    const off = t.core.bus.subscribe(() => {
      if (check()) {
        off();
        resolve();
      }
    });
    if (check()) {
      off();
      resolve();
    }
  });
const view = (id: string) => t.core.invoke<RunView>('runs.get', { id }, asUser('Viewer'));

describe('queue → engine', () => {
  it('executes a queued run and persists its steps', async () => {
    const { run_id } = queue.enqueue({ template_yaml: 'dsl_version: "1.1"\nname: hello\nvariables: { who: null }\nsteps:\n  - log: { message: "hello {{who}}" }\n', variables: { who: '世界' } }, origin);
    await settled(run_id, ['succeeded', 'failed']);
    const run = await view(run_id);
    expect(run).toMatchObject({ status: 'succeeded', attempts: 1, trigger: 'api', template: 'hello' });
    expect(run.steps).toEqual([expect.objectContaining({ index: 0, action: 'log', status: 'succeeded', result: { message: 'hello 世界', level: 'info' } })]);
  });

  it('refuses an invalid template at enqueue with every problem located', async () => {
    const err = await t.core
      .invoke('runs.enqueue', { template_yaml: 'dsl_version: "1.1"\nname: x\nsteps:\n  - pdf_merge: { out: "{{dest}}/m.pdf" }\n' }, asUser('Editor'))
      .then(() => undefined, (e: { code: string; details: { issues: unknown[] } }) => e);
    expect(err?.code).toBe('VALIDATION_ERROR');
    expect(err?.details.issues).toEqual([
      { path: 'template.steps[0].pdf_merge', message: 'give either inputs (a list of PDFs) or inputs_from (a folder)', line: 4, column: 16 },
      expect.objectContaining({ path: 'template.steps[0].pdf_merge.out', message: expect.stringMatching(/^undefined variable 'dest'/), line: 4, column: 26 }),
    ]);
  });

  it('runs a named template from the catalog', async () => {
    // The user's folders, not the data dir: file actions never reach the app's own data (files.allowed_roots).
    const inbox = tempDir('inbox');
    const { run_id } = queue.enqueue({ template: 'weekly_report.yaml', variables: { inbox, reports: `${inbox}/reports` } }, origin);
    await settled(run_id, ['succeeded', 'failed']);
    const run = await view(run_id);
    expect(run.status).toBe('succeeded');
    expect(run.steps[8]).toMatchObject({ action: 'log', status: 'succeeded' });
  });

  it('waits for an approval, then continues from the next step when approved, or fails "denied by" when denied', async () => {
    const yaml = 'dsl_version: "1.1"\nname: deploy\nsteps:\n  - log: { message: prepare }\n  - human_confirm: { message: "Deploy?" }\n  - log: { message: deployed }\n';
    const approved = queue.enqueue({ template_yaml: yaml }, origin).run_id;
    const denied = queue.enqueue({ template_yaml: yaml }, origin).run_id;
    await settled(approved, ['waiting_approval']);
    await settled(denied, ['waiting_approval']);
    expect(t.core.runs.pendingApproval(approved)).toMatchObject({ step: 1, message: 'Deploy?', required_role: 'Editor', auto_action: 'deny' });

    t.core.runs.recordApprovalDecision(approved, { outcome: 'approved', by: 'alice', at: new Date().toISOString() });
    queue.requeueWaiting(approved);
    t.core.runs.recordApprovalDecision(denied, { outcome: 'denied', by: 'bob', comment: 'freeze week', at: new Date().toISOString() });
    queue.requeueWaiting(denied);
    await settled(approved, ['succeeded', 'failed']);
    await settled(denied, ['succeeded', 'failed']);

    const a = await view(approved);
    expect(a.status).toBe('succeeded');
    expect(a.steps.map((s) => [s.action, s.status])).toEqual([
      ['log', 'succeeded'],
      ['human_confirm', 'succeeded'],
      ['log', 'succeeded'],
    ]);
    expect(t.logs.records().filter((r) => r.msg === 'prepare').length).toBe(2);
    const d = await view(denied);
    expect(d).toMatchObject({ status: 'failed', error: 'steps[1] human_confirm: denied by bob: freeze week', error_code: 'HITL_DENIED' });
    expect(d.steps.map((s) => s.status)).toEqual(['succeeded', 'failed']);
  });

  describe('retries follow the failed step', () => {
    let server: Server;
    let url: string;
    beforeEach(async () => {
      server = createServer((_req, res) => {
        res.writeHead(503);
        res.end('down');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterEach(async () => new Promise<void>((r) => server.close(() => r())));

    it('retries a retryable failure of an idempotent step, not of a POST (only_idempotent)', async () => {
      const tpl = (method: string) => `dsl_version: "1.1"\nname: call\nexecution: { retry: { max_attempts: 2, backoff_ms: 60000 } }\nsteps:\n  - make_request: { url: "${url}", method: ${method} }\n`;
      const get = queue.enqueue({ template_yaml: tpl('GET') }, origin).run_id;
      const post = queue.enqueue({ template_yaml: tpl('POST') }, origin).run_id;
      await settled(get, ['retry_wait', 'failed']);
      await settled(post, ['retry_wait', 'failed']);
      expect((await view(get)).status).toBe('retry_wait');
      const p = await view(post);
      expect(p).toMatchObject({ status: 'failed', error_code: 'HTTP_STATUS' });
      expect(p.error).toMatch(/answered 503/);
    });
  });
});
