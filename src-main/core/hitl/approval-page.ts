import type { ApprovalView } from '@shared/contract/approvals';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const RISK_COLOR: Record<string, string> = { low: '#2b8a3e', medium: '#e67700', high: '#c92a2a', critical: '#862e9c' };
const STATUS_TEXT: Record<ApprovalView['status'], string> = {
  pending: '承認待ち / Waiting for a decision',
  approved: '承認済み / Approved',
  denied: '拒否 / Denied',
  timed_out: 'タイムアウト / Timed out',
};

/**
 * The deadline for a client that is not a browser (a browser is sent to the app, which shows it in
 * the browser's zone): this machine's zone, named, as the API server is the viewer's own machine.
 */
const DEADLINE_FORMAT = new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeStyle: 'long' });

export function localDeadline(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DEADLINE_FORMAT.format(d);
}

/**
 * The guide's approval page (`/hitl/approve/{run_id}`): what is asked, the risk, the deadline, and
 * a form to approve or deny. Server-rendered, no script (the CSP forbids inline script anyway);
 * the form posts back to the same path, which the Origin check protects.
 */
export function renderApprovalPage(a: ApprovalView | undefined, runId: string, notice?: string): string {
  const body = !a
    ? `<p>この実行には承認リクエストがありません。<br>Run <code>${esc(runId)}</code> has no approval request.</p>`
    : `<table>
<tr><th>テンプレート / Template</th><td>${esc(a.template)}</td></tr>
<tr><th>実行 / Run</th><td><code>${esc(a.run_id)}</code> (${a.step < 0 ? '開始前 / before start' : `step ${a.step}`})</td></tr>
<tr><th>依頼者 / Requested by</th><td>${esc(a.requested_by ?? '—')}</td></tr>
<tr><th>リスク / Risk</th><td><span class="risk" style="background:${RISK_COLOR[a.risk_level] ?? '#495057'}">${esc(a.risk_level)}</span></td></tr>
<tr><th>必要な役割 / Required role</th><td>${esc(a.required_role)} 以上 / or higher</td></tr>
<tr><th>期限 / Deadline</th><td data-testid="approval-deadline"><time datetime="${esc(a.expires_at)}">${esc(localDeadline(a.expires_at))}</time> — 期限後は / then: <code>${esc(a.auto_action)}</code></td></tr>
<tr><th>状態 / Status</th><td data-testid="approval-status">${STATUS_TEXT[a.status]}${a.decided_by ? ` — ${esc(a.decided_by)}` : ''}${a.comment ? `: ${esc(a.comment)}` : ''}</td></tr>
</table>
<h2 data-testid="approval-message">${esc(a.message)}</h2>
${a.details ? `<pre class="details">${esc(a.details)}</pre>` : ''}
${
  a.status === 'pending'
    ? `<form method="post" action="/hitl/approve/${encodeURIComponent(a.run_id)}">
<label>コメント / Comment<br><textarea name="comment" rows="3" maxlength="2000"></textarea></label>
<div class="actions"><button name="action" value="approve" class="approve">承認 / Approve</button>
<button name="action" value="deny" class="deny">拒否 / Deny</button></div>
</form>`
    : ''
}`;
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>承認 / Approval — Desktop Agent</title>
<style>body{font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2rem auto;max-width:44rem;color:#1f2933;line-break:strict}
th{text-align:left;padding:.3rem 1rem .3rem 0;color:#52606d;font-weight:500;vertical-align:top}td{padding:.3rem 0}
.risk{color:#fff;border-radius:.3rem;padding:.1rem .5rem}.details{white-space:pre-wrap;background:#f5f7fa;padding:1rem;border-radius:.3rem}
textarea{width:100%}.actions{margin-top:1rem;display:flex;gap:1rem}button{font-size:1rem;padding:.5rem 1.5rem;border-radius:.3rem;border:0;color:#fff;cursor:pointer}
.approve{background:#2b8a3e}.deny{background:#c92a2a}.notice{background:#fff3bf;padding:.7rem 1rem;border-radius:.3rem}</style></head>
<body><h1>承認リクエスト / Approval request</h1>
${notice ? `<p class="notice" data-testid="approval-notice">${esc(notice)}</p>` : ''}
${body}
</body></html>`;
}
