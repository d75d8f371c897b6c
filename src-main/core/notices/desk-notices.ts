import type { ApprovalView } from '@shared/contract/approvals';
import type { Envelope } from '@shared/contract/errors';
import type { AgentEvent } from '@shared/contract/events';
import { approvalBlock, type ApprovalViewer } from '@shared/domain/approval-eligibility';
import { hasPermission } from '@shared/rbac/roles';
import type { EventBus } from '../kernel/event-bus';
import type { Clock, Logger, TimerHandle } from '../kernel/ports';
import type { Principal } from '../kernel/principal';
import { text, type Text } from '@shared/i18n';

/** Where a click on a notice or a tray item leads in the window. */
export type NoticeRoute = { view: 'approval'; approvalId: string; runId: string } | { view: 'run'; runId: string };

/** The renderer's hash route of a notice's target (`#/approvals/<id>` opens its dialog). */
export function routeHash(route: NoticeRoute): string {
  return route.view === 'approval' ? `#/approvals/${encodeURIComponent(route.approvalId)}` : `#/runs/${encodeURIComponent(route.runId)}`;
}

export type NoticeAction = 'open' | 'approve';

/** One desktop notification, as data: codes of the shared catalogue, which the host translates and shows. */
export interface DeskNotice {
  /** One per subject (`approval:<id>`, `run:<id>`): a reminder replaces the request's notice. */
  id: string;
  kind: 'approval' | 'reminder' | 'run_failed';
  title: Text;
  body: Text;
  route: NoticeRoute;
  /** Buttons where the desktop shows them (the click itself is `open`). */
  actions: { action: NoticeAction; label: Text }[];
}

/** The tray's view: how many requests the signed-in user may decide, and which. */
export interface DeskBadge {
  count: number;
  tooltip: Text;
  header: Text;
  items: { approvalId: string; label: Text; route: NoticeRoute }[];
}

/** The host's side (Electron: Notification, Tray, app badge). */
export interface NoticeDisplay {
  show(notice: DeskNotice): void;
  withdraw(id: string): void;
  badge(badge: DeskBadge): void;
}

export interface DeskNoticesPorts {
  clock: Clock;
  bus: Pick<EventBus, 'subscribe'>;
  logger: Logger;
  /** Pending requests (approvals.list). */
  pending(): ApprovalView[];
  /** hitl.self_approval, read when it matters (the config reloads). */
  selfApproval(): boolean;
  /** Who is signed in to the window (the desktop app's principal). */
  viewer(): Promise<Principal>;
  /** A decision through the dispatcher as the viewer (role, self-approval and audit apply there). */
  decide(approvalId: string, decision: 'approve' | 'deny'): Promise<Envelope<unknown>>;
  display: NoticeDisplay;
}

/** What a click did: the route to open, the dispatcher's answer, or why nothing could be done. */
export type ClickResult =
  | { kind: 'open'; route: NoticeRoute }
  | { kind: 'decided'; result: Envelope<unknown> }
  | { kind: 'refused'; reason: 'expired' | 'withdrawn' | 'unknown'; route?: NoticeRoute };

/** Reminders at these fractions of a request's wait (SPEC section 9's timeout). */
export const REMINDER_FRACTIONS = [0.5, 0.9] as const;

const noticeId = (approvalId: string) => `approval:${approvalId}`;
const viewerOf = (p: Principal): ApprovalViewer | undefined => (p.kind === 'user' ? { username: p.username, role: p.role } : undefined);

interface LiveRequest {
  approvalId: string;
  route: NoticeRoute;
  timers: TimerHandle[];
  /** Set once its deadline passed: the notice is gone and a click on it is refused. */
  closed?: 'expired' | 'withdrawn';
}

/**
 * What to notify whom (issue 17): the approval requests the signed-in user may decide (role ≥
 * required_role, not their own run while self_approval is false) become a notice each, reminders
 * at 50 % and 90 % of the wait, and the tray's count; a request that expires or is decided
 * elsewhere has its notice withdrawn; a failed run is a notice that opens the run. Decisions made
 * from a notice or the tray go through the `decide` port, i.e. the dispatcher.
 */
export class DeskNotices {
  private readonly live = new Map<string, LiveRequest>();
  private readonly closed = new Map<string, LiveRequest>();
  private unsubscribe?: () => void;
  /** Serialises event handling: each handler awaits the viewer, and their effects must keep order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: DeskNoticesPorts) {}

  /** Arms reminders for what already waits (no notice for old requests: the badge counts them). */
  async start(): Promise<void> {
    this.unsubscribe = this.o.bus.subscribe((e) => this.enqueue(() => this.onEvent(e)));
    const viewer = viewerOf(await this.o.viewer());
    const mine = this.o.pending().filter((a) => this.mayDecide(a, viewer));
    for (const a of mine) this.track(a);
    this.showBadge(mine);
  }

  stop(): void {
    this.unsubscribe?.();
    for (const r of this.live.values()) for (const t of r.timers) t.cancel();
    this.live.clear();
  }

  /** Work already started by events has finished (tests, and the tray after a sign-in). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Recounts the badge for the current viewer (after a sign-in, a sign-out or a role change). */
  async refresh(): Promise<DeskBadge> {
    const viewer = viewerOf(await this.o.viewer());
    return this.showBadge(this.o.pending().filter((a) => this.mayDecide(a, viewer)));
  }

  /** The badge of the requests the viewer may decide (read once by the caller: a DB query and a session lookup). */
  private showBadge(mine: readonly ApprovalView[]): DeskBadge {
    const now = this.o.clock.now();
    const badge: DeskBadge = {
      count: mine.length,
      tooltip: text('tray.tooltip', mine.length),
      header: text('tray.menuHeader', mine.length),
      items: mine.map((a) => ({
        approvalId: a.id,
        label: text('tray.menuItem', a.template, Date.parse(a.expires_at) - now),
        route: { view: 'approval', approvalId: a.id, runId: a.run_id },
      })),
    };
    this.o.display.badge(badge);
    return badge;
  }

  /**
   * A click on a notice (or a tray item): `open` gives the route; `approve` decides through the
   * dispatcher. A notice whose request expired or was decided elsewhere cannot be acted on.
   */
  async click(id: string, action: NoticeAction = 'open'): Promise<ClickResult> {
    await this.settled();
    if (id.startsWith('run:')) return { kind: 'open', route: { view: 'run', runId: id.slice(4) } };
    const approvalId = id.startsWith('approval:') ? id.slice('approval:'.length) : id;
    const gone = this.closed.get(approvalId);
    if (gone) return { kind: 'refused', reason: gone.closed ?? 'withdrawn', route: gone.route };
    const request = this.live.get(approvalId) ?? this.trackIfPending(approvalId);
    if (!request) return { kind: 'refused', reason: 'unknown' };
    if (action === 'open') return { kind: 'open', route: request.route };
    const result = await this.o.decide(approvalId, 'approve');
    return { kind: 'decided', result };
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((e: unknown) => this.o.logger.error('A desktop notice failed', { error: e instanceof Error ? e.message : String(e) }));
  }

  private async onEvent(e: AgentEvent): Promise<void> {
    if (e.type === 'approval.requested') {
      const viewer = viewerOf(await this.o.viewer());
      const mine = this.o.pending().filter((p) => this.mayDecide(p, viewer));
      const a = mine.find((p) => p.id === e.data.approvalId);
      if (a && !this.live.has(a.id)) {
        this.track(a);
        this.o.display.show(this.approvalNotice(a, 'approval'));
      }
      this.showBadge(mine);
    } else if (e.type === 'approval.decided') {
      const { approvalId, decision } = e.data;
      this.close(approvalId, decision === 'timed_out' ? 'expired' : 'withdrawn');
      await this.refresh();
    } else if (e.type === 'run.finished' && e.data.status === 'failed') {
      const p = await this.o.viewer();
      if (p.kind !== 'user' || !hasPermission(p.role, 'read_runs')) return;
      const { runId, template, error } = e.data;
      this.o.display.show({
        id: `run:${runId}`,
        kind: 'run_failed',
        title: text('notice.runFailedTitle', template ?? runId),
        body: text('notice.runFailedBody', runId, error),
        route: { view: 'run', runId },
        actions: [{ action: 'open', label: text('notice.open') }],
      });
    }
  }

  private mayDecide(a: ApprovalView, viewer: ApprovalViewer | undefined): boolean {
    return !approvalBlock(a, viewer, { selfApproval: this.o.selfApproval(), now: this.o.clock.now() });
  }

  private trackIfPending(approvalId: string): LiveRequest | undefined {
    const a = this.o.pending().find((p) => p.id === approvalId);
    return a ? this.track(a) : undefined;
  }

  /** Arms the reminders still ahead and the deadline, once per request. */
  private track(a: ApprovalView): LiveRequest {
    const known = this.live.get(a.id);
    if (known) return known;
    const request: LiveRequest = { approvalId: a.id, route: { view: 'approval', approvalId: a.id, runId: a.run_id }, timers: [] };
    const from = Date.parse(a.requested_at);
    const until = Date.parse(a.expires_at);
    const now = this.o.clock.now();
    for (const fraction of REMINDER_FRACTIONS) {
      const at = from + Math.round((until - from) * fraction);
      if (at > now) request.timers.push(this.o.clock.setTimer(at - now, () => this.enqueue(() => this.remind(a.id, fraction))));
    }
    request.timers.push(this.o.clock.setTimer(until - now, () => this.enqueue(() => this.expire(a.id))));
    this.live.set(a.id, request);
    return request;
  }

  private async remind(approvalId: string, fraction: number): Promise<void> {
    if (!this.live.has(approvalId)) return;
    const a = this.o.pending().find((p) => p.id === approvalId);
    // Decided in a way no event told us of (another process on the same data dir): withdraw.
    if (!a) return this.close(approvalId, 'withdrawn');
    if (!this.mayDecide(a, viewerOf(await this.o.viewer()))) return;
    this.o.display.show(this.approvalNotice(a, 'reminder', Math.round(fraction * 100)));
  }

  private async expire(approvalId: string): Promise<void> {
    this.close(approvalId, 'expired');
    await this.refresh();
  }

  private close(approvalId: string, why: 'expired' | 'withdrawn'): void {
    const request = this.live.get(approvalId) ?? { approvalId, route: { view: 'approval' as const, approvalId, runId: '' }, timers: [] };
    for (const t of request.timers) t.cancel();
    this.live.delete(approvalId);
    if (!this.closed.has(approvalId)) this.closed.set(approvalId, { ...request, timers: [], closed: why });
    // Keep the last few hundred closed ids: enough to refuse a click on a stale notice.
    if (this.closed.size > 500) this.closed.delete(this.closed.keys().next().value as string);
    this.o.display.withdraw(noticeId(approvalId));
  }

  private approvalNotice(a: ApprovalView, kind: 'approval' | 'reminder', percent = 0): DeskNotice {
    const left = Date.parse(a.expires_at) - this.o.clock.now();
    return {
      id: noticeId(a.id),
      kind,
      title: kind === 'approval' ? text('notice.approvalTitle', a.template) : text('notice.reminderTitle', a.template, percent),
      body: text('notice.approvalBody', a.message, a.risk_level, left),
      route: { view: 'approval', approvalId: a.id, runId: a.run_id },
      actions: [
        { action: 'approve', label: text('notice.approve') },
        { action: 'open', label: text('notice.open') },
      ],
    };
  }
}
