import { useEffect, useState } from 'react';
import { Dialog } from '../../components/dialog';
import { ErrorNotice } from '../../components/form';
import { useHashId } from '../../components/use-hash-view';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { useNow } from '../../components/use-now';
import type { Messages } from '../../i18n';
import { useMessages, type Said } from '../../i18n/use-messages';
import { approvalOfRoute, decisionBlock, riskTone, type ApprovalItem, type Decision, type DecisionBlock } from '../../stores/approvals-store';
import { useApprovalsStore, useAuthStore, useLocaleStore } from '../../stores/app-stores';
import { secondsLeft } from '../../stores/outcome';

/** Approvals (human_confirm): pending requests, live; approve or deny with a comment. */
export function ApprovalsView() {
  const t = useMessages();
  const status = useApprovalsStore((s) => s.status);
  const error = useApprovalsStore((s) => s.error);
  const items = useApprovalsStore((s) => s.items);
  const showDecided = useApprovalsStore((s) => s.showDecided);
  const actionError = useApprovalsStore((s) => s.actionError);
  const load = useApprovalsStore((s) => s.load);
  const showDecidedChanged = useApprovalsStore((s) => s.showDecidedChanged);
  const [notice, setNotice] = useState<Said>();
  const pending = items.filter((a) => a.status === 'pending').length;
  // `#/approvals/<id>`: a notification, the tray or the guide's link asked for this request's dialog.
  const focused = useHashId('approvals');
  // The countdowns tick while something is pending.
  const now = useNow(pending > 0);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <h2>{t.approvals.title}</h2>
      <section className="panel wide" data-testid="approvals-panel" data-state={status}>
        <h3>
          {showDecided ? t.approvals.allTitle : t.approvals.pendingTitle}
          {status === 'ready' ? <span className="count"> {t.state.count(showDecided ? items.length : pending)}</span> : null}
        </h3>
        <label className="check">
          <input type="checkbox" checked={showDecided} onChange={(e) => void showDecidedChanged(e.target.checked)} data-testid="approvals-show-decided" />
          {t.approvals.showDecided}
        </label>
        {notice ? (
          <p className="notice ok" role="status" data-testid="approvals-notice">
            {notice(t)}
          </p>
        ) : null}
        <ErrorNotice title={t.approvals.decideFailed} error={actionError?.error} testId="approval-action-error" />
        {status !== 'ready' ? (
          <QueryMessage status={status} error={error} binding="GET /api/approvals" onReload={() => void load()} />
        ) : items.length === 0 ? (
          <p className="notice" data-testid="approvals-empty">
            {showDecided ? t.approvals.noneAtAll : t.approvals.none}
          </p>
        ) : (
          <ul className="approval-list">
            {items.map((a) => (
              <ApprovalCard key={a.id} approval={a} now={now} onDecided={(say) => setNotice(() => say)} />
            ))}
          </ul>
        )}
      </section>
      {focused && status === 'ready' ? <ApprovalDialog id={focused} items={items} now={now} onDecided={(say) => setNotice(() => say)} /> : null}
    </>
  );
}

/** One request in a dialog; a request that is no longer pending says so and offers nothing to decide. */
function ApprovalDialog({ id, items, now, onDecided }: { id: string; items: ApprovalItem[]; now: number; onDecided: (say: Said | undefined) => void }) {
  const t = useMessages();
  const a = approvalOfRoute(items, id);
  const close = () => (window.location.hash = '#/approvals');
  return (
    <Dialog title={a ? t.approvals.dialogTitle(a.template) : t.approvals.title} onClose={close} testId="approval-dialog" wide>
      {a && a.status === 'pending' ? (
        <ul className="approval-list">
          <ApprovalCard approval={a} now={now} onDecided={(say) => {
              onDecided(say);
              if (say) close();
            }} />
        </ul>
      ) : (
        <p className="notice" data-testid="approval-dialog-gone">
          {t.approvals.gone}
        </p>
      )}
      <div className="toolbar">
        <button type="button" onClick={close} data-testid="approval-dialog-close">
          {t.approvals.close}
        </button>
      </div>
    </Dialog>
  );
}

function ApprovalCard({ approval: a, now, onDecided }: { approval: ApprovalItem; now: number; onDecided: (say: Said | undefined) => void }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const me = useAuthStore((s) => s.me);
  const busyId = useApprovalsStore((s) => s.busyId);
  const decide = useApprovalsStore((s) => s.decide);
  const [comment, setComment] = useState('');
  const block = decisionBlock(a, me, now);
  const tone = riskTone(a.risk_level);
  const left = secondsLeft(Date.parse(a.expires_at), now);

  const send = async (decision: Decision) => {
    onDecided(undefined);
    const r = await decide(a.id, decision, comment);
    if (r.ok) {
      const { run_id } = r.data;
      // A request at step -1 is the pre-run risk check: the run has not started yet.
      const beforeStart = a.step < 0;
      onDecided((m: Messages) => (decision === 'approve' ? m.approvals.approved(run_id, beforeStart) : m.approvals.denied(run_id, beforeStart)));
    }
  };

  return (
    <li className={`approval risk-${tone}`} data-testid="approval" data-id={a.id} data-run-id={a.run_id} data-status={a.status} data-risk={a.risk_level}>
      <div className="approval-head">
        <span className={`risk risk-${tone}`} data-testid="approval-risk">
          {t.approvals.risk(t.approvals.riskNames[tone] ?? a.risk_level)}
        </span>
        <p className="approval-message" data-testid="approval-message">
          {a.message}
        </p>
      </div>
      <dl className="facts">
        <dt>{t.approvals.run}</dt>
        <dd>
          <code className="code" data-testid="approval-run">
            {a.run_id}
          </code>
          {a.step < 0 ? <span className="reason" data-testid="approval-before-start">{t.approvals.beforeStart}</span> : null}
        </dd>
        <dt>{t.approvals.template}</dt>
        <dd data-testid="approval-template">{a.template}</dd>
        <dt>{t.approvals.requestedBy}</dt>
        <dd data-testid="approval-requester">{a.requested_by ?? t.approvals.bySystem}</dd>
        <dt>{t.approvals.requestedAt}</dt>
        <dd>{formatTime(a.requested_at, locale)}</dd>
        <dt>{t.approvals.requiredRole}</dt>
        <dd>{a.required_role}</dd>
        <dt>{t.approvals.deadline}</dt>
        <dd data-testid="approval-deadline">
          {formatTime(a.expires_at, locale)}
          {a.status === 'pending' ? (
            <>
              {' '}
              <span className={left > 0 && left <= 300 ? 'time-left soon' : 'time-left'} data-testid="approval-time-left">
                {left > 0 ? t.approvals.timeLeft(left) : t.approvals.expiredNow}
              </span>
            </>
          ) : null}
          <span className="reason">{t.approvals.autoAction(t.approvals.autoActions[a.auto_action] ?? a.auto_action)}</span>
        </dd>
        {a.status !== 'pending' ? (
          <>
            <dt>{t.approvals.outcome}</dt>
            <dd data-testid="approval-outcome">
              <span className={a.status === 'approved' ? 'pill ok' : a.status === 'denied' ? 'pill bad' : 'pill off'}>{t.approvals.statuses[a.status]}</span>
              {a.decided_by ? ` ${t.approvals.decidedBy(a.decided_by)}` : ''}
              {a.decided_at ? ` · ${formatTime(a.decided_at, locale)}` : ''}
              {a.comment ? <span className="reason">{t.approvals.commentWas(a.comment)}</span> : null}
            </dd>
          </>
        ) : null}
      </dl>
      {a.details ? (
        // Markdown as the template wrote it, shown as text: nothing in it becomes HTML.
        <pre className="approval-details" data-testid="approval-details">
          {a.details}
        </pre>
      ) : null}
      {block ? (
        a.status === 'pending' ? (
          <p className="muted" data-testid="approval-blocked" data-reason={block.kind}>
            {blockText(t, block)}
          </p>
        ) : null
      ) : (
        <div className="approval-decide">
          <label className="field">
            <span className="field-label">{t.approvals.comment}</span>
            <textarea rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="approval-comment" />
          </label>
          <div className="toolbar">
            <button type="button" className="primary" disabled={busyId === a.id} onClick={() => void send('approve')} data-testid="approval-approve">
              {t.approvals.approve}
            </button>
            <button type="button" className="danger" disabled={busyId === a.id} onClick={() => void send('deny')} data-testid="approval-deny">
              {t.approvals.deny}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

function blockText(t: Messages, block: DecisionBlock): string {
  switch (block.kind) {
    case 'permission':
      return t.approvals.blockedPermission;
    case 'role':
      return t.approvals.blockedRole(block.required);
    case 'expired':
      return t.approvals.blockedExpired;
    case 'decided':
      return '';
  }
}
