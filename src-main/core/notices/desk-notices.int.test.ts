import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalView } from '@shared/contract/approvals';
import type { FakeClock } from '../kernel/clock';
import type { Principal } from '../kernel/principal';
import { asUser, until, tempCore, type TempCore } from '../../../test-support/temp-core';
import { DeskNotices, type DeskBadge } from './desk-notices';
import { noticeInWords, type NoticeInWords } from './notice-words';

const template = `dsl_version: "1.1"
name: invoice_send
steps:
  - log: { message: "prepared" }
  - human_confirm:
      message: "請求書を送付しますか？"
      timeout_minutes: 20
      auto_action: deny
      risk_level: high
  - log: { message: "sent" }
`;

const open: TempCore[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.cleanup();
});

/** DeskNotices on a real core (SQLite approvals, the real dispatcher), the window's user being `viewer`. */
async function setup(viewer: Principal) {
  const t = await tempCore({ fakeClock: true });
  open.push(t);
  const shown: NoticeInWords[] = [];
  const withdrawn: string[] = [];
  const badges: DeskBadge[] = [];
  const ctx = { principal: viewer, source: 'ipc' };
  const notices = new DeskNotices({
    clock: t.core.clock,
    bus: t.core.bus,
    logger: t.core.logger,
    pending: () => t.core.approvals.list('pending', 1000),
    selfApproval: () => t.core.config.orchestrator.hitl.self_approval,
    viewer: async () => viewer,
    decide: (id, d) => t.core.dispatcher.dispatch(d === 'approve' ? 'approvals.approve' : 'approvals.deny', { id }, ctx),
    display: { show: (n) => void shown.push(noticeInWords(n, 'en')), withdraw: (id) => void withdrawn.push(id), badge: (b) => void badges.push(b) },
  });
  await notices.start();
  const request = async (by = asUser('Editor', 'rina')) => {
    const { run_id } = await t.core.invoke<{ run_id: string }>('runs.enqueue', { template_yaml: template }, by);
    return until('the approval request', () => t.core.approvals.list('pending', 10).find((a: ApprovalView) => a.run_id === run_id));
  };
  return { t, clock: t.clock as FakeClock, notices, shown, withdrawn, badges, request };
}

describe('desktop notices on a real core', () => {
  it('tells an Editor, approves from the notice through the dispatcher (audited), and withdraws it', async () => {
    const h = await setup({ kind: 'user', id: 'u_eddie', username: 'eddie', role: 'Editor', via: 'ipc' });
    const a = await h.request();
    await until('the notice', () => h.shown.length === 1);
    await h.notices.settled();
    expect(h.shown[0]).toMatchObject({ id: `approval:${a.id}`, title: 'Approval needed: invoice_send', body: '請求書を送付しますか？\nRisk: high · deadline in 20 min' });
    expect(h.badges.at(-1)!.count).toBe(1);
    const r = await h.notices.click(`approval:${a.id}`, 'approve');
    expect(r).toMatchObject({ kind: 'decided', result: { ok: true, data: { status: 'approved', decided_by: 'eddie' } } });
    await h.notices.settled();
    expect(h.withdrawn).toEqual([`approval:${a.id}`]);
    expect(h.badges.at(-1)!.count).toBe(0);
    const audit = h.t.core.db.prepare("select user, result, source from audit_log where action = 'approvals.approve'").all();
    expect(audit).toEqual([{ user: 'eddie', result: 'ok', source: 'ipc' }]);
  });

  it('does not tell the requester (self_approval false), and the dispatcher refuses them from the tray', async () => {
    const h = await setup({ kind: 'user', id: 'u_rina', username: 'rina', role: 'Admin', via: 'ipc' });
    h.t.core.config.write('orchestrator.yaml', { hitl: { self_approval: false } });
    const a = await h.request(asUser('Admin', 'rina'));
    await h.notices.settled();
    expect(h.shown).toEqual([]);
    expect(h.badges.at(-1)!.count).toBe(0);
    const r = await h.notices.click(`approval:${a.id}`, 'approve');
    expect(r).toMatchObject({ kind: 'decided', result: { ok: false, error: { code: 'FORBIDDEN', details: { reason: 'self_approval' } } } });
  });

  it('withdraws the notice when the request expires on the clock, and refuses a late approval', async () => {
    const h = await setup({ kind: 'user', id: 'u_eddie', username: 'eddie', role: 'Editor', via: 'ipc' });
    const a = await h.request();
    await until('the notice', () => h.shown.length === 1);
    await h.clock.advanceAsync(20 * 60_000);
    await h.notices.settled();
    expect(h.withdrawn).toEqual([`approval:${a.id}`]);
    expect(await h.notices.click(`approval:${a.id}`, 'approve')).toMatchObject({ kind: 'refused', reason: 'expired' });
    // auto_action deny failed the run: a notice that opens it.
    await until('the failed run', () => h.shown.some((n) => n.kind === 'run_failed'));
    expect(h.shown.map((n) => n.kind)).toEqual(['approval', 'reminder', 'reminder', 'run_failed']);
    expect(h.shown.at(-1)!.route).toEqual({ view: 'run', runId: a.run_id });
  });
});
