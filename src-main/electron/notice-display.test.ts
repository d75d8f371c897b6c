import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/kernel/clock';
import { EventBus } from '../core/kernel/event-bus';
import { createLogger } from '../core/kernel/logger';
import type { ApprovalView } from '@shared/contract/approvals';
import { DeskNotices, type DeskBadge, type DeskNotice, type NoticeAction } from '../core/notices/desk-notices';
import { fakeNotificationClass } from '../../test-support/electron-fakes';
import { text, type Locale } from '@shared/i18n';
import { createNoticeDisplay } from './notice-display';
import { trayMenuTemplate, trayTooltip } from './tray';

const notice = (over: Partial<DeskNotice> = {}): DeskNotice => ({
  id: 'approval:a1',
  kind: 'approval',
  title: text('notice.approvalTitle', 'invoice_send'),
  body: text('notice.approvalBody', '請求書を送付しますか？', 'high', 45 * 60_000),
  route: { view: 'approval', approvalId: 'a1', runId: 'run_1' },
  actions: [
    { action: 'approve', label: text('notice.approve') },
    { action: 'open', label: text('notice.open') },
  ],
  ...over,
});

function setup(supported = true, locale: Locale = 'en') {
  const { Notification, created } = fakeNotificationClass(supported);
  const clicks: string[] = [];
  const badges: number[] = [];
  const trayBadges: DeskBadge[] = [];
  const logged: DeskNotice[] = [];
  const display = createNoticeDisplay({
    locale,
    Notification,
    setBadgeCount: (n) => (badges.push(n), true),
    badgeChanged: (b) => void trayBadges.push(b),
    clicked: (id, action) => void clicks.push(`${action}:${id}`),
    log: (n) => void logged.push(n),
  });
  return { display, created, clicks, badges, trayBadges, logged };
}

describe('the Electron notice display', () => {
  it('shows a notice natively with an Approve button; click and button go back to the core', () => {
    const t = setup();
    t.display.show(notice());
    expect(t.created[0]!.options).toMatchObject({ title: 'Approval needed: invoice_send', body: '請求書を送付しますか？\nRisk: high · deadline in 45 min', actions: [{ type: 'button', text: 'Approve' }] });
    expect(t.created[0]!.shown).toBe(true);
    t.created[0]!.fire('click');
    t.created[0]!.fire('action', {}, 0);
    expect(t.clicks).toEqual(['open:approval:a1', 'approve:approval:a1']);
  });

  it('replaces a notice with its reminder, and withdraws it by closing it', () => {
    const t = setup();
    t.display.show(notice());
    t.display.show(notice({ kind: 'reminder', title: text('notice.reminderTitle', 'invoice_send', 50) }));
    expect(t.created.map((c) => c.closed)).toEqual([true, false]);
    expect(t.created[1]!.options.silent).toBe(true);
    expect(t.display.showing()).toEqual(['approval:a1']);
    t.display.withdraw('approval:a1');
    expect(t.created[1]!.closed).toBe(true);
    expect(t.display.showing()).toEqual([]);
    t.display.withdraw('approval:never-shown');
  });

  it('logs what it cannot show, and puts the count on the app badge and the tray', () => {
    const t = setup(false);
    t.display.show(notice());
    expect(t.created).toHaveLength(0);
    expect(t.logged.map((n) => n.id)).toEqual(['approval:a1']);
    const badge: DeskBadge = { count: 2, tooltip: text('tray.tooltip', 2), header: text('tray.menuHeader', 2), items: [] };
    t.display.badge(badge);
    expect(t.badges).toEqual([2]);
    expect(t.trayBadges).toEqual([badge]);
  });
});

describe('the tray with approvals', () => {
  const badge: DeskBadge = {
    count: 1,
    tooltip: text('tray.tooltip', 1),
    header: text('tray.menuHeader', 1),
    items: [{ approvalId: 'a1', label: text('tray.menuItem', 'invoice_send', 30 * 60_000), route: { view: 'approval', approvalId: 'a1', runId: 'run_1' } }],
  };

  it('lists the approvals the user may decide, each with Open and Approve', () => {
    const chosen: string[] = [];
    const menu = trayMenuTemplate('en', { url: 'http://127.0.0.1:8000', error: null }, { open: () => {}, quit: () => {}, approval: (id, a) => void chosen.push(`${a}:${id}`) }, badge);
    expect(menu.map((i) => i.label ?? i.type)).toEqual(['Open Desktop Agent', 'separator', '1 approval waiting', 'invoice_send (30 min left)', 'separator', 'Loopback API: http://127.0.0.1:8000', 'separator', 'Quit']);
    const sub = menu[3]!.submenu as { label: string; click(): void }[];
    expect(sub.map((i) => i.label)).toEqual(['Open', 'Approve']);
    sub[1]!.click();
    sub[0]!.click();
    expect(chosen).toEqual(['approve:a1', 'open:a1']);
    expect(trayTooltip({ url: 'http://127.0.0.1:8000', error: null }, 'en', badge)).toBe('Desktop Agent — 1 approval waiting for you');
  });

  it('shows the core’s notices end to end: a request, its withdrawal, the badge', async () => {
    const clock = new FakeClock();
    const bus = new EventBus(() => clock.now());
    const t = setup(true, 'ja');
    const pending: ApprovalView[] = [];
    const clicked: string[] = [];
    const notices = new DeskNotices({
      clock,
      bus,
      logger: createLogger({ sinks: [] }),
      pending: () => pending,
      selfApproval: () => false,
      viewer: async () => ({ kind: 'user', id: 'u1', username: 'eddie', role: 'Editor', via: 'ipc' }),
      decide: async () => ({ ok: true, data: {} }),
      display: t.display,
    });
    await notices.start();
    const at = (ms: number) => new Date(clock.now() + ms).toISOString();
    pending.push({ id: 'a1', run_id: 'run_1', step: 0, template: 'invoice_send', message: '送付しますか？', details: null, risk_level: 'medium', required_role: 'Editor', auto_action: 'deny', requested_by: 'rina', requested_at: at(0), expires_at: at(600_000), status: 'pending', decided_by: null, decided_at: null, comment: null });
    bus.publish('approval.requested', { approvalId: 'a1', runId: 'run_1', template: 'invoice_send', message: '送付しますか？', risk_level: 'medium', expires_at: at(600_000) });
    await notices.settled();
    expect(t.created[0]!.options).toMatchObject({ title: '承認が必要です: invoice_send', body: '送付しますか？\nリスク: 中 · 期限まであと 10 分' });
    expect(t.badges.at(-1)).toBe(1);
    t.created[0]!.fire('click');
    const action: NoticeAction = 'open';
    clicked.push((await notices.click('approval:a1', action)).kind);
    pending.length = 0;
    bus.publish('approval.decided', { approvalId: 'a1', runId: 'run_1', decision: 'approved', by: 'ken' });
    await notices.settled();
    expect(t.created[0]!.closed).toBe(true);
    expect(t.badges.at(-1)).toBe(0);
    expect(clicked).toEqual(['open']);
  });
});
