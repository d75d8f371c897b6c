import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@shared/contract/events';
import type { ApprovalView } from '@shared/contract/approvals';
import type { RunView } from '@shared/contract/runs';
import { FakeClock } from '../kernel/clock';
import { createCore, type Core } from '../app/create-core';
import { MemorySink } from '../kernel/logger';
import { resolvePaths } from '../kernel/paths';
import type { Notification } from '../kernel/ports';
import type { QueueModule } from '../queue';
import { REPO_ROOT, asUser, until } from '../../../test-support/temp-core';
import { localDeadline } from './approval-page';

const confirmTemplate = (extra = '') => `dsl_version: "1.1"
name: deploy
steps:
  - log: { message: "prepared" }
  - human_confirm:
      message: "本番環境へのデプロイを実行しますか？"
      timeout_minutes: 30
      auto_action: deny
      risk_level: high
${extra}
  - log: { message: "deployed" }
`;

interface Harness {
  core: Core;
  dir: string;
  clock: FakeClock;
  events: AgentEvent[];
  notifications: Notification[];
  logs: MemorySink;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.core.stop();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

async function start(dir = mkdtempSync(join(tmpdir(), 'da-hitl-')), clock = new FakeClock()): Promise<Harness> {
  const notifications: Notification[] = [];
  const logs = new MemorySink();
  const core = await createCore({
    paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(REPO_ROOT, 'configs') }),
    version: 'test',
    strictConfig: true,
    validateOutputs: true,
    clock,
    extraLogSinks: [logs],
    notifier: { notify: (n) => void notifications.push(n), openPath: async () => undefined },
  });
  await core.start();
  const events: AgentEvent[] = [];
  core.bus.subscribe((e) => events.push(e));
  const h = { core, dir, clock, events, notifications, logs };
  open.push(h);
  return h;
}

// Unsaved YAML (template_yaml) is run by template authors: manage_templates (issue 21 item 11).
const author = asUser('Editor', 'rina');
const editor = asUser('Editor', 'eddie');
const viewer = asUser('Viewer', 'vic');

async function enqueueAndWait(h: Harness, yaml = confirmTemplate(), ctx = author): Promise<{ runId: string; approval: ApprovalView }> {
  const { run_id } = await h.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: yaml }, ctx);
  const approval = await until('the approval request', () => h.core.approvals.list('pending', 10).find((a) => a.run_id === run_id));
  return { runId: run_id, approval };
}

const queueOf = (h: Harness) => (h.core.modules.find((m) => m.name === 'queue') as QueueModule).queue;
const runOf = (h: Harness, id: string) => h.core.invoke<RunView>('runs.get', { id }, viewer);

describe('human-in-the-loop approvals', () => {
  it('stops the run without a slot, tells approvers, and continues after an approval', async () => {
    const h = await start();
    const { runId, approval } = await enqueueAndWait(h);
    expect(approval).toMatchObject({ message: '本番環境へのデプロイを実行しますか？', risk_level: 'high', required_role: 'Editor', auto_action: 'deny', requested_by: 'rina', status: 'pending' });
    expect((await runOf(h, runId)).status).toBe('waiting_approval');
    expect((await h.core.invoke<{ items: { running: number }[] }>('queues.list', {}, viewer)).items.every((q) => q.running === 0)).toBe(true);
    expect(h.events.some((e) => e.type === 'approval.requested' && (e.data as { runId: string }).runId === runId)).toBe(true);

    const decided = await h.core.invoke<ApprovalView>('approvals.approve', { id: approval.id, comment: 'LGTM' }, editor);
    expect(decided).toMatchObject({ status: 'approved', decided_by: 'eddie', comment: 'LGTM' });
    const done = await until('the run to succeed', () => {
      const s = h.core.db.prepare('select status from runs where id = ?').pluck().get(runId) as string;
      return s === 'succeeded' || s === 'failed' ? s : undefined;
    });
    expect(done).toBe('succeeded');
    const view = await runOf(h, runId);
    expect(view.steps.map((s) => [s.action, s.status])).toEqual([
      ['log', 'succeeded'],
      ['human_confirm', 'succeeded'],
      ['log', 'succeeded'],
    ]);
    expect(view.steps[1]!.result).toMatchObject({ approved: true, decided_by: 'eddie', comment: 'LGTM' });
  });

  it("hears of a waiting run through the queue's port, not from the UI event run.updated", async () => {
    const h = await start();
    const { runId, approval } = await enqueueAndWait(h);
    // Forget the request, then announce the run on the UI's event: HITL does not take it as a request.
    h.core.db.prepare('delete from approvals where id = ?').run(approval.id);
    h.core.bus.publish('run.updated', { runId, template: 'deploy', status: 'waiting_approval' });
    expect(h.core.approvals.list('all', 10)).toEqual([]);
    // The queue's port does: a listener of it that throws is logged with the run, and HITL still hears.
    queueOf(h).onWaitingApproval(() => {
      throw new Error('listener broke');
    });
    const second = await enqueueAndWait(h);
    const failed = await until('the port listener failure in the log', () =>
      h.logs.records().find((r) => r.msg === "A listener of the queue's waiting-approval port failed" && r.runId === second.runId),
    );
    expect(failed).toMatchObject({ level: 'error', component: 'Queue', error: expect.objectContaining({ message: 'listener broke' }) });
    expect(h.events.findIndex((e) => e.type === 'run.updated' && e.data.runId === second.runId)).toBeLessThan(
      h.events.findIndex((e) => e.type === 'approval.requested' && e.data.runId === second.runId),
    );
  });

  it('fails the step and the run with "denied by <user>" on a denial, and refuses a second decision', async () => {
    const h = await start();
    const { runId, approval } = await enqueueAndWait(h);
    await h.core.invoke('approvals.deny', { id: approval.id, comment: 'not today' }, editor);
    await until('the run to fail', () => h.core.db.prepare('select status from runs where id = ?').pluck().get(runId) === 'failed');
    const view = await runOf(h, runId);
    expect(view.error).toContain('denied by eddie: not today');
    expect(view.steps[1]).toMatchObject({ status: 'failed', error_code: 'HITL_DENIED' });
    await expect(h.core.invoke('approvals.approve', { id: approval.id }, editor)).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
  });

  it('applies auto_action when the deadline passes (on the fake clock), and keeps the request across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-hitl-'));
    const clock = new FakeClock();
    const first = await start(dir, clock);
    const { runId, approval } = await enqueueAndWait(first);
    await first.core.stop();
    open.pop();
    // Restarted 10 minutes later: still pending, same deadline.
    clock.advance(10 * 60_000);
    const second = await start(dir, clock);
    expect(second.core.approvals.list('pending', 10)).toEqual([expect.objectContaining({ id: approval.id, expires_at: approval.expires_at })]);
    await second.clock.advanceAsync(20 * 60_000);
    await until('the run to fail', () => second.core.db.prepare('select status from runs where id = ?').pluck().get(runId) === 'failed');
    const view = await runOf(second, runId);
    expect(view.steps[1]).toMatchObject({ status: 'failed', error_code: 'HITL_TIMEOUT' });
    expect(view.error).toContain('denied automatically (auto_action: deny)');
    expect(second.core.approvals.list('all', 10)[0]).toMatchObject({ status: 'timed_out', decided_by: null });
    expect(second.core.approvals.metrics(clock.now())).toEqual({ hitl_interventions_24h: 1, hitl_approved_24h: 0, hitl_denied_24h: 0, hitl_timeouts_24h: 1 });
  });

  it('lets only approvers with the required role decide, and not the requester when self-approval is off', async () => {
    const h = await start();
    const { approval } = await enqueueAndWait(h, confirmTemplate('      required_role: Admin'));
    await expect(h.core.invoke('approvals.approve', { id: approval.id }, viewer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.core.invoke('approvals.approve', { id: approval.id }, editor)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'This approval needs the role Admin or higher; your role is Editor',
    });
    h.core.config.write('orchestrator.yaml', { hitl: { self_approval: false } });
    const self = await enqueueAndWait(h, confirmTemplate(), asUser('Admin', 'ada'));
    await expect(h.core.invoke('approvals.approve', { id: self.approval.id }, asUser('Admin', 'ada'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.core.invoke('approvals.approve', { id: approval.id }, asUser('Admin', 'ada'))).resolves.toMatchObject({ status: 'approved' });
  });

  it('serves the approval page and decides through its form', async () => {
    const h = await start();
    const { runId } = await enqueueAndWait(h);
    const page = await h.core.invoke<{ body: string; status?: number }>('approvals.page', { run_id: runId }, viewer);
    expect(page.body).toContain('本番環境へのデプロイを実行しますか？');
    expect(page.body).toContain(`action="/hitl/approve/${runId}"`);
    // Every label in both languages, the step too (it was English alone).
    expect(page.body).toMatch(/\(ステップ \d+ \/ step \d+\)/);
    expect(page.body).toContain('<th>必要な役割 / Required role</th><td>Editor 以上 / or higher</td>');
    // The deadline in this machine's zone with its name (e.g. "2026/12/08 2:30:00 JST"), not raw UTC.
    const expires = (await h.core.invoke<{ items: { expires_at: string }[] }>('approvals.list', {}, viewer)).items[0]!.expires_at;
    const zone = new Intl.DateTimeFormat('ja-JP', { timeZoneName: 'short' }).formatToParts(new Date(expires)).find((p) => p.type === 'timeZoneName')!.value;
    expect(page.body).toContain(`<time datetime="${expires}">${localDeadline(expires)}</time>`);
    expect(localDeadline(expires)).toContain(zone);
    expect(localDeadline(expires)).not.toContain(expires.slice(0, 10));
    const result = await h.core.invoke<{ body: string }>('approvals.decideForm', { run_id: runId, action: 'approve', comment: 'ok' }, editor);
    expect(result.body).toContain('承認しました / Approved');
    expect(result.body).not.toContain('<form');
    const again = await h.core.invoke<{ body: string; status: number }>('approvals.decideForm', { run_id: runId, action: 'deny' }, editor);
    expect(again.status).toBe(409);
    expect(again.body).toContain('already decided');
    // The refusal said in Japanese too (it was the core's English message alone).
    expect(again.body).toContain('この承認リクエストはすでに決定済みか、期限を過ぎています。 / Approval ');
    expect(again.body).toContain('承認済み / Approved — eddie: ok');
    const none = await h.core.invoke<{ status: number }>('approvals.page', { run_id: 'run_nope' }, viewer);
    expect(none.status).toBe(404);
  });
});

describe('the pre-run risk check (approval_policy)', () => {
  const deleting = (file: string) => `dsl_version: "1.1"
name: cleanup
steps:
  - log: { message: "starting" }
  - delete_files: { paths: [${JSON.stringify(file)}] }
`;
  const statusOf = (h: Harness, id: string) => h.core.db.prepare('select status from runs where id = ?').pluck().get(id) as string;
  const finished = (h: Harness, id: string) => until(`run ${id} to finish`, () => ['succeeded', 'failed', 'cancelled'].includes(statusOf(h, id)) && statusOf(h, id));
  async function withPolicy(): Promise<{ h: Harness; file: string }> {
    const h = await start();
    h.core.config.write('orchestrator.yaml', { approval_policy: { enabled: true, min_risk_level: 'high', required_role: 'Editor', timeout_minutes: 15 } });
    // In the user's folders: the data dir is the app's own (files.allowed_roots never reaches it).
    const file = join(mkdtempSync(join(tmpdir(), 'da-hitl-files-')), '古い 報告書.pdf');
    writeFileSync(file, 'old');
    return { h, file };
  }

  it('holds a risky run before its first step, shows the risks, and starts it once approved', async () => {
    const { h, file } = await withPolicy();
    const { runId, approval } = await enqueueAndWait(h, deleting(file));
    expect(approval).toMatchObject({ step: -1, risk_level: 'high', required_role: 'Editor', auto_action: 'deny', requested_by: 'rina' });
    expect(approval.message).toContain('cleanup');
    expect(approval.details).toBe('- steps[1] delete_files [high]: deletes 1 file(s)');
    expect(Date.parse(approval.expires_at) - Date.parse(approval.requested_at)).toBe(15 * 60_000);
    const waiting = await runOf(h, runId);
    expect(waiting.status).toBe('waiting_approval');
    expect(waiting.steps).toEqual([]);
    expect(existsSync(file)).toBe(true);
    const page = await h.core.invoke<{ body: string }>('approvals.page', { run_id: runId }, viewer);
    expect(page.body).toContain('開始前 / before start');
    expect(page.body).toContain('steps[1] delete_files [high]: deletes 1 file(s)');

    await h.core.invoke('approvals.approve', { id: approval.id, comment: 'ok' }, editor);
    expect(await finished(h, runId)).toBe('succeeded');
    expect(existsSync(file)).toBe(false);
    expect((await runOf(h, runId)).steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('fails a denied run without running any step', async () => {
    const { h, file } = await withPolicy();
    const { runId, approval } = await enqueueAndWait(h, deleting(file));
    await h.core.invoke('approvals.deny', { id: approval.id, comment: 'wrong folder' }, editor);
    expect(await finished(h, runId)).toBe('failed');
    const view = await runOf(h, runId);
    expect(view.error).toBe('Not started: denied by eddie: wrong folder');
    expect(view.error_code).toBe('HITL_DENIED');
    expect(view.steps).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });

  it('lets runs below min_risk_level, dry runs, and every run when the policy is off start at once', async () => {
    const { h, file } = await withPolicy();
    const post = `dsl_version: "1.1"
name: notify
steps:
  - make_request: { method: POST, url: "http://127.0.0.1:9/hook", timeout_ms: 500, continue_on_error: true }
`;
    const medium = (await h.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: post }, author)).run_id;
    expect(await finished(h, medium)).toBe('succeeded');
    const dry = (await h.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: deleting(file), dry_run: true }, author)).run_id;
    expect(await finished(h, dry)).toBe('succeeded');
    expect(existsSync(file)).toBe(true);
    h.core.config.write('orchestrator.yaml', { approval_policy: { enabled: false } });
    const off = (await h.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: deleting(file) }, author)).run_id;
    expect(await finished(h, off)).toBe('succeeded');
    expect(existsSync(file)).toBe(false);
    expect(h.core.approvals.list('all', 10)).toEqual([]);
  });

  it('denies automatically when nobody decides before the deadline (fake clock)', async () => {
    const { h, file } = await withPolicy();
    const { runId } = await enqueueAndWait(h, deleting(file));
    await h.clock.advanceAsync(15 * 60_000);
    expect(await finished(h, runId)).toBe('failed');
    const view = await runOf(h, runId);
    expect(view.error_code).toBe('HITL_TIMEOUT');
    expect(view.error).toContain('Not started: approval timed out: no decision within 15 minutes');
    expect(existsSync(file)).toBe(true);
  });
});
