/**
 * Japanese texts the hosts show outside the window: desktop notices, the tray, the quit line and
 * the approval page of the HTTP API. Part of the one catalogue (ja.ts spreads it in).
 */

/** Risk levels in the operations guide's words (the window's approvals use the same). */
export const RISK_NAMES_JA: Record<string, string> = { low: '低', medium: '中', high: '高', critical: '重大' };

/** "30 分", or hours and minutes from an hour on. */
export function spanJa(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return h ? `${h} 時間${rest ? ` ${rest} 分` : ''}` : `${m} 分`;
}

export const jaHost = {
  notice: {
    approvalTitle: (template: string) => `承認が必要です: ${template}`,
    reminderTitle: (template: string, percent: number) => `承認の催促 (${percent}% 経過): ${template}`,
    approvalBody: (message: string, risk: string, leftMs: number) => `${message}\nリスク: ${RISK_NAMES_JA[risk] ?? risk} · 期限まであと ${spanJa(leftMs)}`,
    runFailedTitle: (template: string) => `実行が失敗しました: ${template}`,
    runFailedBody: (runId: string, error: string | null | undefined) => (error ? `${runId}: ${error}` : runId),
    approve: '承認',
    open: '開く',
  },
  tray: {
    tooltip: (count: number) => (count ? `Desktop Agent — あなたの承認待ち ${count} 件` : 'Desktop Agent'),
    menuHeader: (count: number) => `承認待ち ${count} 件`,
    menuItem: (template: string, leftMs: number) => `${template}（あと ${spanJa(leftMs)}）`,
    openApp: 'Desktop Agent を開く',
    quit: '終了',
    api: (url: string) => `ローカル API: ${url}`,
    apiError: (error: string) => `ローカル API を開始できません: ${error}`,
    startAtLogin: 'ログイン時に起動',
    /** Said on quit while runs still run; `list` names up to five of them. */
    stillRunning: (count: number, list: string, more: number) => `終了します。実行中の ${count} 件が安全な区切りに達するのを待っています: ${list}${more ? ` ほか ${more} 件` : ''}`,
  },
  approvalPage: {
    title: '承認',
    heading: '承認リクエスト',
    noRequest: (_runId: string) => 'この実行には承認リクエストがありません。',
    template: 'テンプレート',
    run: '実行',
    beforeStart: '開始前',
    step: (step: number) => `ステップ ${step}`,
    requestedBy: '依頼者',
    risk: 'リスク',
    requiredRole: '必要な役割',
    orHigher: '以上',
    deadline: '期限',
    then: '期限後は',
    status: '状態',
    statuses: { pending: '承認待ち', approved: '承認済み', denied: '拒否', timed_out: 'タイムアウト' },
    comment: 'コメント',
    approve: '承認',
    deny: '拒否',
    approvedNotice: '承認しました',
    deniedNotice: '拒否しました',
    /** The core's reason is English (an API message); the Japanese side says what it means. */
    alreadyDecided: (_reason: string) => 'この承認リクエストはすでに決定済みか、期限を過ぎています。',
    forbidden: (_reason: string) => 'この承認リクエストを決定する権限がありません。',
  },
  hitl: {
    /** Stored as the request's message (a string in the API), so it carries both languages. */
    preRunMessage: (template: string) => `実行前の承認: 「${template}」には注意が必要な操作があります`,
  },
};
