import { describe, expect, it } from 'vitest';
import { MemorySink, createLogger } from '../core/kernel/logger';
import { fakeNotificationClass } from '../../test-support/electron-fakes';
import { createElectronNotifier } from './notifier';

describe('the Electron notifier', () => {
  it('shows a native notification whose click opens the window', () => {
    const { Notification, created } = fakeNotificationClass(true);
    let opened = 0;
    const notifier = createElectronNotifier({ Notification, shell: { openPath: async () => '' }, showWindow: () => opened++, logger: () => createLogger({ sinks: [] }) });
    notifier.notify({ title: '承認待ち', body: '請求書の送付に承認が必要です', action: 'approval:a1' });
    expect(created).toHaveLength(1);
    expect(created[0]!.options).toMatchObject({ title: '承認待ち', body: '請求書の送付に承認が必要です' });
    expect(created[0]!.shown).toBe(true);
    expect(opened).toBe(0);
    created[0]!.fire('click');
    expect(opened).toBe(1);
  });

  it('logs the notice where notifications are not supported', () => {
    const { Notification, created } = fakeNotificationClass(false);
    const sink = new MemorySink();
    createElectronNotifier({ Notification, shell: { openPath: async () => '' }, showWindow: () => {}, logger: () => createLogger({ sinks: [sink] }) }).notify({ title: 'Run failed', body: 'daily_report' });
    expect(created).toHaveLength(0);
    expect(sink.records()).toMatchObject([{ msg: 'Notification: Run failed', body: 'daily_report' }]);
  });

  it('opens files with the desktop, and reports what went wrong', async () => {
    const { Notification } = fakeNotificationClass(true);
    const opened: string[] = [];
    const notifier = createElectronNotifier({
      Notification,
      shell: { openPath: async (p: string) => (opened.push(p), p.endsWith('missing.pdf') ? 'Failed to open path' : '') },
      showWindow: () => {},
      logger: () => createLogger({ sinks: [] }),
    });
    await notifier.openPath('/data/artifacts/r1/report.pdf');
    expect(opened).toEqual(['/data/artifacts/r1/report.pdf']);
    await expect(notifier.openPath('/data/missing.pdf')).rejects.toThrow('Cannot open /data/missing.pdf: Failed to open path');
  });
});
