import type { Output } from '@shared/contract';
import type { AgentEvent } from '@shared/contract/events';
import type { ErrorBody } from '@shared/contract/errors';
import { approvalBlock } from '@shared/domain/approval-eligibility';
import { parseRole, type Role } from '@shared/rbac/roles';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { can, type Me } from './auth-store';
import { outcomeOf, type Outcome } from './outcome';
import { coalesce } from './coalesce';
import { resultOf, type QueryStatus } from './query';

export type ApprovalItem = Output<'approvals.list'>['items'][number];
export type Decision = 'approve' | 'deny';

export interface ApprovalsState {
  status: QueryStatus;
  items: ApprovalItem[];
  error?: ErrorBody;
  /** Pending requests only, or decided and expired ones too (`status: all`). */
  showDecided: boolean;
  /** The request whose decision is in flight. */
  busyId?: string;
  /** The refusal of the last decision (409 already decided or expired, 403 role), shown on its card. */
  actionError?: { id: string; error: ErrorBody };
  load(): Promise<void>;
  showDecidedChanged(show: boolean): Promise<void>;
  decide(id: string, decision: Decision, comment: string): Promise<Outcome<ApprovalItem>>;
  eventReceived(event: AgentEvent): void;
  reset(): void;
}

/**
 * Why the signed-in user cannot decide a request here (the buttons are then not offered), or
 * undefined when they can: the core refuses a decided or expired request, a user without
 * respond_hitl, and one below the request's required role.
 */
export type DecisionBlock = { kind: 'decided' } | { kind: 'expired' } | { kind: 'permission' } | { kind: 'role'; required: Role };

export function decisionBlock(a: ApprovalItem, me: Me | undefined, now: number): DecisionBlock | undefined {
  const role = me ? parseRole(me.role) : undefined;
  // The page does not know hitl.self_approval; the core refuses an own run with its reason.
  const block = approvalBlock(a, me && role && can(me, 'respond_hitl') ? { username: me.username, role } : undefined, { selfApproval: true, now });
  if (!block || block.kind === 'self_approval') return undefined;
  return block.kind === 'signed_out' ? { kind: 'permission' } : block;
}

/**
 * The request a `#/approvals/<id>` route names: an approval ID (a notification's click), or a run
 * ID (the guide's link `/hitl/approve/{run_id}` leads here), then that run's pending request.
 */
export function approvalOfRoute(items: readonly ApprovalItem[], id: string): ApprovalItem | undefined {
  return items.find((a) => a.id === id) ?? items.find((a) => a.run_id === id && a.status === 'pending') ?? items.find((a) => a.run_id === id);
}

/** The risk level's colour class; an unknown level looks like the highest. */
export function riskTone(level: string): 'low' | 'medium' | 'high' | 'critical' {
  return level === 'low' || level === 'medium' || level === 'high' ? level : 'critical';
}

/**
 * Approvals (human_confirm, SPEC section 9): the requests, read again whenever an
 * `approval.requested` or `approval.decided` event arrives (a deadline passing is a decision too),
 * and the decision with an optional comment. A refusal (409 already decided or expired) is kept
 * for its card, and the list is read again, so the card then shows what did happen.
 */
export function createApprovalsStore(client: AgentClient) {
  return createStore<ApprovalsState>()((set, get) => {
    const initial = () => ({
      status: (client.has('approvals.list') ? 'loading' : 'unavailable') as QueryStatus,
      items: [] as ApprovalItem[],
      error: undefined,
      showDecided: false,
      busyId: undefined,
      actionError: undefined,
    });

    const load = async () => {
      const r = resultOf(await client.call('approvals.list', { status: get().showDecided ? 'all' : 'pending', limit: 200 }));
      set(r.status === 'ready' ? { status: 'ready', items: r.data!.items, error: undefined } : { status: r.status, items: [], error: r.error });
    };
    const refresh = coalesce(load);

    return {
      ...initial(),
      load,
      async showDecidedChanged(show) {
        set({ showDecided: show });
        await load();
      },
      async decide(id, decision, comment) {
        set({ busyId: id, actionError: undefined });
        const input = { id, ...(comment.trim() ? { comment: comment.trim() } : {}) };
        const r = outcomeOf(decision === 'approve' ? await client.call('approvals.approve', input) : await client.call('approvals.deny', input));
        set({ busyId: undefined, actionError: r.ok ? undefined : { id, error: r.error } });
        await load();
        return r;
      },
      eventReceived(event) {
        if (event.type === 'approval.requested' || event.type === 'approval.decided') refresh();
      },
      reset: () => set(initial()),
    };
  });
}
