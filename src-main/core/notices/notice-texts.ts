/** The texts of desktop notifications and the tray, in the app's two languages. */
export type NoticeLocale = 'ja' | 'en';

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** "30 min" / "30 分", or hours and minutes from an hour on. */
function span(ms: number, locale: NoticeLocale): string {
  const m = minutes(ms);
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (locale === 'ja') return h ? `${h} 時間${rest ? ` ${rest} 分` : ''}` : `${m} 分`;
  return h ? `${h} h${rest ? ` ${rest} min` : ''}` : `${m} min`;
}

const RISK = {
  ja: { low: '低', medium: '中', high: '高', critical: '重大' } as Record<string, string>,
  en: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' } as Record<string, string>,
};

export const NOTICE_TEXTS = {
  ja: {
    approvalTitle: (template: string) => `承認が必要です: ${template}`,
    reminderTitle: (template: string, percent: number) => `承認の催促 (${percent}% 経過): ${template}`,
    approvalBody: (message: string, risk: string, leftMs: number) => `${message}\nリスク: ${RISK.ja[risk] ?? risk} · 期限まであと ${span(leftMs, 'ja')}`,
    runFailedTitle: (template: string) => `実行が失敗しました: ${template}`,
    runFailedBody: (runId: string, error: string | null | undefined) => (error ? `${runId}: ${error}` : runId),
    approve: '承認',
    open: '開く',
    tooltip: (count: number) => (count ? `Desktop Agent — あなたの承認待ち ${count} 件` : 'Desktop Agent'),
    menuHeader: (count: number) => `承認待ち ${count} 件`,
    menuItem: (template: string, leftMs: number) => `${template}（あと ${span(leftMs, 'ja')}）`,
  },
  en: {
    approvalTitle: (template: string) => `Approval needed: ${template}`,
    reminderTitle: (template: string, percent: number) => `Reminder (${percent}% of the wait gone): ${template}`,
    approvalBody: (message: string, risk: string, leftMs: number) => `${message}\nRisk: ${RISK.en[risk] ?? risk} · deadline in ${span(leftMs, 'en')}`,
    runFailedTitle: (template: string) => `Run failed: ${template}`,
    runFailedBody: (runId: string, error: string | null | undefined) => (error ? `${runId}: ${error}` : runId),
    approve: 'Approve',
    open: 'Open',
    tooltip: (count: number) => (count ? `Desktop Agent — ${count} approval${count === 1 ? '' : 's'} waiting for you` : 'Desktop Agent'),
    menuHeader: (count: number) => `${count} approval${count === 1 ? '' : 's'} waiting`,
    menuItem: (template: string, leftMs: number) => `${template} (${span(leftMs, 'en')} left)`,
  },
} as const;

export function noticeLocale(systemLocale: string): NoticeLocale {
  return systemLocale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}
