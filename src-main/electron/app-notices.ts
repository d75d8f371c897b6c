import type { Core } from '../core/app/create-core';
import { DeskNotices, routeHash, type NoticeAction, type NoticeRoute } from '../core/notices/desk-notices';
import { noticeInWords } from '../core/notices/notice-words';
import type { Locale } from '@shared/i18n';
import type { IpcAdapter } from './ipc-adapter';
import { createNoticeDisplay, type NoticeNotificationClass } from './notice-display';
import type { createTray } from './tray';

export interface AppNoticesDeps {
  core: Pick<Core, 'clock' | 'bus' | 'logger' | 'approvals' | 'config' | 'dispatcher'>;
  ipc: Pick<IpcAdapter, 'contextFor'>;
  /** The main window's webContents id (its user is the tray's user), or undefined while there is none. */
  windowId(): number | undefined;
  Notification: NoticeNotificationClass;
  setBadgeCount(count: number): boolean;
  tray: ReturnType<typeof createTray>;
  locale: Locale;
  /** Shows the window at a route (`#/approvals/<id>`, `#/runs/<id>`). */
  openRoute(route: NoticeRoute): void;
}

/**
 * The desktop app's notices: the core's DeskNotices (what to tell whom) shown through Electron,
 * acting as the main window's user through the dispatcher. Returns the notices and what the
 * tray's approval items call.
 */
export function createAppNotices(deps: AppNoticesDeps) {
  const { core } = deps;
  const log = core.logger.child('Notices');
  const context = () => deps.ipc.contextFor(deps.windowId() ?? -1);
  const clicked = (id: string, action: NoticeAction) =>
    void notices.click(id, action).then(
      (r) => {
        if (r.kind === 'open') deps.openRoute(r.route);
        else if (r.kind === 'refused') {
          log.info('A notice was acted on after its request closed', { notice: id, reason: r.reason });
          // The window says what became of it (the dialog says the request is no longer waiting).
          if (r.route) deps.openRoute(r.route);
        } else if (!r.result.ok) {
          log.warn('A decision from a notice was refused', { notice: id, code: r.result.error.code, message: r.result.error.message });
          deps.openRoute({ view: 'approval', approvalId: id.replace(/^approval:/, ''), runId: '' });
        }
      },
      (e: unknown) => log.error('A notice click failed', { error: e instanceof Error ? e.message : String(e) }),
    );
  const display = createNoticeDisplay({
    locale: deps.locale,
    Notification: deps.Notification,
    setBadgeCount: deps.setBadgeCount,
    badgeChanged: (badge) => deps.tray.refresh(badge),
    clicked,
    log: (n) => {
      const words = noticeInWords(n, deps.locale);
      log.info(`Notification: ${words.title}`, { body: words.body, route: routeHash(n.route) });
    },
  });
  const notices: DeskNotices = new DeskNotices({
    clock: core.clock,
    bus: core.bus,
    logger: log,
    pending: () => core.approvals.list('pending', 1000),
    selfApproval: () => core.config.orchestrator.hitl.self_approval,
    viewer: async () => (await context()).principal,
    decide: async (id, decision) => core.dispatcher.dispatch(decision === 'approve' ? 'approvals.approve' : 'approvals.deny', { id }, await context()),
    display,
  });
  return { notices, display, trayApproval: (approvalId: string, action: NoticeAction) => clicked(`approval:${approvalId}`, action) };
}
