import type { jaHost } from './host-ja';

/** English texts the hosts show outside the window (see host-ja.ts). */

export const RISK_NAMES_EN: Record<string, string> = { low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

/** "30 min", or hours and minutes from an hour on. */
export function spanEn(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return h ? `${h} h${rest ? ` ${rest} min` : ''}` : `${m} min`;
}

const approvals = (count: number) => `${count} approval${count === 1 ? '' : 's'}`;

export const enHost: typeof jaHost = {
  notice: {
    approvalTitle: (template) => `Approval needed: ${template}`,
    reminderTitle: (template, percent) => `Reminder (${percent}% of the wait gone): ${template}`,
    approvalBody: (message, risk, leftMs) => `${message}\nRisk: ${RISK_NAMES_EN[risk] ?? risk} · deadline in ${spanEn(leftMs)}`,
    runFailedTitle: (template) => `Run failed: ${template}`,
    runFailedBody: (runId, error) => (error ? `${runId}: ${error}` : runId),
    approve: 'Approve',
    open: 'Open',
  },
  tray: {
    tooltip: (count) => (count ? `Desktop Agent — ${approvals(count)} waiting for you` : 'Desktop Agent'),
    menuHeader: (count) => `${approvals(count)} waiting`,
    menuItem: (template, leftMs) => `${template} (${spanEn(leftMs)} left)`,
    openApp: 'Open Desktop Agent',
    quit: 'Quit',
    api: (url) => `Loopback API: ${url}`,
    apiError: (error) => `Loopback API could not start: ${error}`,
    startAtLogin: 'Start at login',
    stillRunning: (count, list, more) => `Quitting: waiting for ${count} running run${count === 1 ? '' : 's'} to reach a safe point: ${list}${more ? ` and ${more} more` : ''}`,
  },
  approvalPage: {
    title: 'Approval',
    heading: 'Approval request',
    noRequest: (runId) => `Run ${runId} has no approval request.`,
    template: 'Template',
    run: 'Run',
    beforeStart: 'before start',
    step: (step) => `step ${step}`,
    requestedBy: 'Requested by',
    risk: 'Risk',
    requiredRole: 'Required role',
    orHigher: 'or higher',
    deadline: 'Deadline',
    then: 'then',
    status: 'Status',
    statuses: { pending: 'Waiting for a decision', approved: 'Approved', denied: 'Denied', timed_out: 'Timed out' },
    comment: 'Comment',
    approve: 'Approve',
    deny: 'Deny',
    approvedNotice: 'Approved',
    deniedNotice: 'Denied',
    alreadyDecided: (reason) => reason,
    forbidden: (reason) => reason,
  },
  hitl: {
    preRunMessage: (template) => `Approval before start: "${template}" has risky steps`,
  },
};
