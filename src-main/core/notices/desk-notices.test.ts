import { describe, expect, it } from 'vitest';
import type { ApprovalView } from '@shared/contract/approvals';
import type { Role } from '@shared/rbac/roles';
import { FakeClock } from '../kernel/clock';
import { EventBus } from '../kernel/event-bus';
import { createLogger } from '../kernel/logger';
import { ANONYMOUS, type Principal } from '../kernel/principal';
import { isTextCode } from '@shared/i18n';
import { DeskNotices, routeHash, type DeskBadge, type DeskNotice } from './desk-notices';
import { badgeInWords, noticeInWords, type BadgeInWords, type NoticeInWords } from './notice-words';

const MIN = 60_000;

/** The ports of DeskNotices over plain data: the pending list, who is signed in, what was shown. */
function setup(o: { selfApproval?: boolean; locale?: 'ja' | 'en' } = {}) {
  const clock = new FakeClock('2026-03-02T09:00:00Z');
  const bus = new EventBus(() => clock.now());
  const pending: ApprovalView[] = [];
  let viewer: Principal = ANONYMOUS;
  // What the core emitted (codes), and the same said in the test's language as a host would.
  const emitted: (DeskNotice | DeskBadge)[] = [];
  const locale = o.locale ?? 'en';
  const shown: NoticeInWords[] = [];
  const withdrawn: string[] = [];
  const badges: BadgeInWords[] = [];
  const decisions: string[] = [];
  /** How often the ports were asked (each is a query or a session lookup in the app). */
  const reads = { pending: 0, viewer: 0 };
  const notices = new DeskNotices({
    clock,
    bus,
    logger: createLogger({ sinks: [] }),
    pending: () => (reads.pending++, pending.filter((a) => a.status === 'pending')),
    selfApproval: () => o.selfApproval ?? false,
    viewer: async () => (reads.viewer++, viewer),
    decide: async (id, d) => {
      decisions.push(`${d}:${id}`);
      return { ok: true, data: { id } };
    },
    display: {
      show: (n) => void (emitted.push(n), shown.push(noticeInWords(n, locale))),
      withdraw: (id) => void withdrawn.push(id),
      badge: (b) => void (emitted.push(b), badges.push(badgeInWords(b, locale))),
    },
  });
  const signIn = (username: string, role: Role) => (viewer = { kind: 'user', id: `u_${username}`, username, role, via: 'ipc' });
  /** A request as the approvals module records it, and its event. */
  const request = (id: string, a: Partial<ApprovalView> = {}) => {
    const row: ApprovalView = {
      id,
      run_id: `run_${id}`,
      step: 1,
      template: 'invoice_send',
      message: '請求書を送付しますか？',
      details: null,
      risk_level: 'high',
      required_role: 'Editor',
      auto_action: 'deny',
      requested_by: 'rina',
      requested_at: new Date(clock.now()).toISOString(),
      expires_at: new Date(clock.now() + 60 * MIN).toISOString(),
      status: 'pending',
      decided_by: null,
      decided_at: null,
      comment: null,
      ...a,
    };
    pending.push(row);
    bus.publish('approval.requested', { approvalId: id, runId: row.run_id, template: row.template, message: row.message, risk_level: row.risk_level, expires_at: row.expires_at });
    return row;
  };
  const decide = (id: string, decision: 'approved' | 'denied' | 'timed_out') => {
    const row = pending.find((a) => a.id === id)!;
    row.status = decision;
    bus.publish('approval.decided', { approvalId: id, runId: row.run_id, decision, by: 'ken' });
  };
  const lastBadge = () => badges.at(-1)!;
  return { clock, bus, notices, emitted, shown, withdrawn, badges, decisions, reads, signIn, request, decide, lastBadge };
}

describe('desktop notices: who is told about which approval', () => {
  it('reads the pending requests and the signed-in user once per start and per new request', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    expect(t.reads).toEqual({ pending: 1, viewer: 1 });
    t.request('a1');
    await t.notices.settled();
    expect(t.shown.map((n) => n.id)).toEqual(['approval:a1']);
    expect(t.lastBadge().count).toBe(1);
    expect(t.reads).toEqual({ pending: 2, viewer: 2 });
  });

  it('counts only the requests the signed-in role may decide, per required_role', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1', { required_role: 'Editor' });
    t.request('a2', { required_role: 'Admin' });
    t.request('a3', { required_role: 'Runner' });
    await t.notices.settled();
    expect(t.lastBadge().count).toBe(2);
    expect(t.lastBadge().items.map((i) => i.approvalId)).toEqual(['a1', 'a3']);
    expect(t.lastBadge().tooltip).toBe('Desktop Agent — 2 approvals waiting for you');
    expect(t.shown.map((n) => n.id)).toEqual(['approval:a1', 'approval:a3']);

    t.signIn('ada', 'Admin');
    expect((await t.notices.refresh()).count).toBe(3);
    t.signIn('rui', 'Runner');
    // A Runner lacks respond_hitl even for a request that asks for Runner.
    expect((await t.notices.refresh()).count).toBe(0);
    expect(t.lastBadge().tooltip).toBe('Desktop Agent');
  });

  it('leaves out the viewer’s own runs while self_approval is false, and counts them when it is true', async () => {
    const strict = setup({ selfApproval: false });
    strict.signIn('rina', 'Admin');
    await strict.notices.start();
    strict.request('own', { requested_by: 'rina' });
    strict.request('other', { requested_by: 'kenji' });
    await strict.notices.settled();
    expect(strict.lastBadge().items.map((i) => i.approvalId)).toEqual(['other']);
    expect(strict.shown.map((n) => n.id)).toEqual(['approval:other']);

    const lenient = setup({ selfApproval: true });
    lenient.signIn('rina', 'Admin');
    await lenient.notices.start();
    lenient.request('own', { requested_by: 'rina' });
    await lenient.notices.settled();
    expect(lenient.lastBadge().count).toBe(1);
  });

  it('tells nobody while nobody is signed in', async () => {
    const t = setup();
    await t.notices.start();
    t.request('a1');
    await t.notices.settled();
    expect(t.shown).toEqual([]);
    expect(t.lastBadge().count).toBe(0);
  });

  it('says message, risk and deadline, in Japanese too', async () => {
    const t = setup({ locale: 'ja' });
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1', { expires_at: new Date(t.clock.now() + 90 * MIN).toISOString() });
    await t.notices.settled();
    expect(t.shown[0]).toMatchObject({
      kind: 'approval',
      title: '承認が必要です: invoice_send',
      body: '請求書を送付しますか？\nリスク: 高 · 期限まであと 1 時間 30 分',
      route: { view: 'approval', approvalId: 'a1', runId: 'run_a1' },
    });
    expect(t.shown[0]!.actions.map((a) => a.label)).toEqual(['承認', '開く']);
    expect(t.lastBadge().tooltip).toBe('Desktop Agent — あなたの承認待ち 1 件');
  });
});

describe('desktop notices: reminders and withdrawal on the clock', () => {
  it('reminds at 50 % and 90 % of the wait, and withdraws the notice when the request expires', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1'); // 60 minutes to decide
    await t.notices.settled();
    await t.clock.advanceAsync(29 * MIN);
    expect(t.shown.map((n) => n.kind)).toEqual(['approval']);
    await t.clock.advanceAsync(1 * MIN);
    await t.notices.settled();
    expect(t.shown.map((n) => n.kind)).toEqual(['approval', 'reminder']);
    expect(t.shown[1]).toMatchObject({ id: 'approval:a1', title: 'Reminder (50% of the wait gone): invoice_send', body: '請求書を送付しますか？\nRisk: high · deadline in 30 min' });
    await t.clock.advanceAsync(24 * MIN);
    await t.notices.settled();
    expect(t.shown[2]).toMatchObject({ kind: 'reminder', title: 'Reminder (90% of the wait gone): invoice_send', body: '請求書を送付しますか？\nRisk: high · deadline in 6 min' });
    expect(t.withdrawn).toEqual([]);
    await t.clock.advanceAsync(6 * MIN);
    await t.notices.settled();
    expect(t.withdrawn).toEqual(['approval:a1']);
    expect(t.shown).toHaveLength(3);
  });

  it('an expired notice cannot be acted on: no call reaches the dispatcher', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1', { expires_at: new Date(t.clock.now() + 10 * MIN).toISOString() });
    await t.notices.settled();
    await t.clock.advanceAsync(10 * MIN);
    expect(await t.notices.click('approval:a1', 'approve')).toMatchObject({ kind: 'refused', reason: 'expired' });
    expect(t.decisions).toEqual([]);
  });

  it('withdraws a notice decided elsewhere, stops its reminders, and refuses a late click', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1');
    t.request('a2');
    await t.notices.settled();
    t.decide('a1', 'approved');
    await t.notices.settled();
    expect(t.withdrawn).toEqual(['approval:a1']);
    expect(t.lastBadge().count).toBe(1);
    await t.clock.advanceAsync(31 * MIN);
    await t.notices.settled();
    expect(t.shown.filter((n) => n.kind === 'reminder').map((n) => n.id)).toEqual(['approval:a2']);
    expect(await t.notices.click('approval:a1', 'approve')).toMatchObject({ kind: 'refused', reason: 'withdrawn' });
    expect(t.decisions).toEqual([]);
  });

  it('arms reminders for requests that waited before the app started, without a notice for each', async () => {
    const t = setup();
    t.request('old', { requested_at: new Date(t.clock.now() - 40 * MIN).toISOString(), expires_at: new Date(t.clock.now() + 20 * MIN).toISOString() });
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    expect(t.lastBadge().count).toBe(1);
    expect(t.shown).toEqual([]);
    // 50 % was 10 minutes ago; 90 % (54 minutes in) is 14 minutes ahead.
    await t.clock.advanceAsync(14 * MIN);
    await t.notices.settled();
    expect(t.shown.map((n) => n.title)).toEqual(['Reminder (90% of the wait gone): invoice_send']);
  });
});

describe('desktop notices: clicks and failed runs', () => {
  it('routes a click to the approval dialog, and approves through the decide port (the dispatcher)', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1');
    await t.notices.settled();
    const open = await t.notices.click('approval:a1');
    expect(open).toEqual({ kind: 'open', route: { view: 'approval', approvalId: 'a1', runId: 'run_a1' } });
    expect(routeHash((open as { route: Parameters<typeof routeHash>[0] }).route)).toBe('#/approvals/a1');
    expect(await t.notices.click('approval:a1', 'approve')).toEqual({ kind: 'decided', result: { ok: true, data: { id: 'a1' } } });
    expect(t.decisions).toEqual(['approve:a1']);
    expect(await t.notices.click('approval:nope')).toEqual({ kind: 'refused', reason: 'unknown' });
  });

  it('tells a reader about a failed run and opens the run on click; succeeded runs are quiet', async () => {
    const t = setup();
    t.signIn('vic', 'Viewer');
    await t.notices.start();
    t.bus.publish('run.finished', { runId: 'run_9', template: 'daily_report', status: 'failed', error: 'File not found: in/report.csv' });
    t.bus.publish('run.finished', { runId: 'run_10', template: 'daily_report', status: 'succeeded' });
    await t.notices.settled();
    expect(t.shown).toEqual([
      { id: 'run:run_9', kind: 'run_failed', title: 'Run failed: daily_report', body: 'run_9: File not found: in/report.csv', route: { view: 'run', runId: 'run_9' }, actions: [{ action: 'open', label: 'Open' }] },
    ]);
    const click = await t.notices.click('run:run_9');
    expect(click).toEqual({ kind: 'open', route: { view: 'run', runId: 'run_9' } });
    expect(routeHash({ view: 'run', runId: 'run_9' })).toBe('#/runs/run_9');
  });
});

describe('desktop notices: the core says codes, the host says words', () => {
  it('emits catalogue codes with parameters for every title, body, label, tooltip and header, and no words', async () => {
    const t = setup();
    t.signIn('eddie', 'Editor');
    await t.notices.start();
    t.request('a1');
    await t.clock.advanceAsync(30 * MIN);
    t.bus.publish('run.finished', { runId: 'run_9', template: 'daily_report', status: 'failed', error: 'File not found: in/report.csv' });
    await t.notices.settled();
    const notices = t.emitted.filter((e): e is DeskNotice => 'kind' in e);
    const badges = t.emitted.filter((e): e is DeskBadge => 'count' in e);
    expect(notices.map((n) => n.kind)).toEqual(['approval', 'reminder', 'run_failed']);
    const texts = [...notices.flatMap((n) => [n.title, n.body, ...n.actions.map((a) => a.label)]), ...badges.flatMap((b) => [b.tooltip, b.header, ...b.items.map((i) => i.label)])];
    for (const said of texts) {
      expect(Object.keys(said).sort()).toEqual(['code', 'params']);
      expect(isTextCode(said.code), said.code).toBe(true);
    }
    expect(notices[0]!.title).toEqual({ code: 'notice.approvalTitle', params: ['invoice_send'] });
    expect(notices[1]!.body).toEqual({ code: 'notice.approvalBody', params: ['請求書を送付しますか？', 'high', 30 * MIN] });
    // No sentence of either language leaves the core: only the data it was given (template, message).
    const out = JSON.stringify(t.emitted);
    for (const words of ['Approval needed', '承認が必要です', 'Reminder', '催促', 'Run failed', '失敗しました', 'waiting', '承認待ち', 'Open', '開く', ' min', ' 分']) expect(out).not.toContain(words);
  });
});
