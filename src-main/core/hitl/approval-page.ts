import type { ApprovalView } from '@shared/contract/approvals';
import { bilingual, text, translate, type Text, type TextCode, type TextParams } from '@shared/i18n';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const RISK_COLOR: Record<string, string> = { low: '#2b8a3e', medium: '#e67700', high: '#c92a2a', critical: '#862e9c' };

/** "日本語 / English" of a catalogue code, escaped: the page is for readers of either language. */
const both = <C extends TextCode>(code: C, ...params: TextParams<C>) => esc(bilingual(text(code, ...params)));

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
 * the form posts back to the same path, which the Origin check protects. Its words come from the
 * shared catalogue (approvalPage.*), both languages at once; `notice` is a code the module chose.
 */
export function renderApprovalPage(a: ApprovalView | undefined, runId: string, notice?: Text): string {
  const body = !a
    ? `<p>${esc(translate('ja', text('approvalPage.noRequest', runId)))}<br>${esc(translate('en', text('approvalPage.noRequest', runId)))}</p>`
    : `<table>
<tr><th>${both('approvalPage.template')}</th><td>${esc(a.template)}</td></tr>
<tr><th>${both('approvalPage.run')}</th><td><code>${esc(a.run_id)}</code> (${a.step < 0 ? both('approvalPage.beforeStart') : both('approvalPage.step', a.step)})</td></tr>
<tr><th>${both('approvalPage.requestedBy')}</th><td>${esc(a.requested_by ?? '—')}</td></tr>
<tr><th>${both('approvalPage.risk')}</th><td><span class="risk" style="background:${RISK_COLOR[a.risk_level] ?? '#495057'}">${esc(a.risk_level)}</span></td></tr>
<tr><th>${both('approvalPage.requiredRole')}</th><td>${esc(a.required_role)} ${both('approvalPage.orHigher')}</td></tr>
<tr><th>${both('approvalPage.deadline')}</th><td data-testid="approval-deadline"><time datetime="${esc(a.expires_at)}">${esc(localDeadline(a.expires_at))}</time> — ${both('approvalPage.then')}: <code>${esc(a.auto_action)}</code></td></tr>
<tr><th>${both('approvalPage.status')}</th><td data-testid="approval-status">${both(`approvalPage.statuses.${a.status}`)}${a.decided_by ? ` — ${esc(a.decided_by)}` : ''}${a.comment ? `: ${esc(a.comment)}` : ''}</td></tr>
</table>
<h2 data-testid="approval-message">${esc(a.message)}</h2>
${a.details ? `<pre class="details">${esc(a.details)}</pre>` : ''}
${
  a.status === 'pending'
    ? `<form method="post" action="/hitl/approve/${encodeURIComponent(a.run_id)}">
<label>${both('approvalPage.comment')}<br><textarea name="comment" rows="3" maxlength="2000"></textarea></label>
<div class="actions"><button name="action" value="approve" class="approve">${both('approvalPage.approve')}</button>
<button name="action" value="deny" class="deny">${both('approvalPage.deny')}</button></div>
</form>`
    : ''
}`;
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${both('approvalPage.title')} — Desktop Agent</title>
<style>body{font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2rem auto;max-width:44rem;color:#1f2933;line-break:strict}
th{text-align:left;padding:.3rem 1rem .3rem 0;color:#52606d;font-weight:500;vertical-align:top}td{padding:.3rem 0}
.risk{color:#fff;border-radius:.3rem;padding:.1rem .5rem}.details{white-space:pre-wrap;background:#f5f7fa;padding:1rem;border-radius:.3rem}
textarea{width:100%}.actions{margin-top:1rem;display:flex;gap:1rem}button{font-size:1rem;padding:.5rem 1.5rem;border-radius:.3rem;border:0;color:#fff;cursor:pointer}
.approve{background:#2b8a3e}.deny{background:#c92a2a}.notice{background:#fff3bf;padding:.7rem 1rem;border-radius:.3rem}</style></head>
<body><h1>${both('approvalPage.heading')}</h1>
${notice ? `<p class="notice" data-testid="approval-notice">${esc(bilingual(notice))}</p>` : ''}
${body}
</body></html>`;
}
