import { describe, expect, it } from 'vitest';
import { editConfigList } from './config-list-file';

const file = `# Cron schedules
schedules:
  - id: "daily_report"
    name: "日次レポート生成"
    cron: "0 9 * * *"   # 毎日9時
    enabled: false
`;

describe('editConfigList keeps comments', () => {
  it('adds, updates and removes one entry, leaving the rest as written', () => {
    const added = editConfigList(file, 'schedules', { op: 'add', item: { id: 'b', name: 'B', cron: '*/5 * * * *' } })!;
    expect(added).toContain('# Cron schedules');
    expect(added).toContain('cron: "0 9 * * *" # 毎日9時');
    expect(added).toMatch(/- id: b\n {4}name: B\n {4}cron: "\*\/5 \* \* \* \*"/);
    const updated = editConfigList(added, 'schedules', { op: 'update', id: 'daily_report', set: { enabled: true }, unset: ['name'] })!;
    expect(updated).toContain('enabled: true');
    expect(updated).not.toContain('日次レポート生成');
    expect(updated).toContain('# 毎日9時');
    const removed = editConfigList(updated, 'schedules', { op: 'remove', id: 'b' })!;
    expect(removed).not.toContain('id: b');
    expect(editConfigList(removed, 'schedules', { op: 'remove', id: 'nope' })).toBeUndefined();
  });
  it('turns an empty flow list into a block list', () => {
    expect(editConfigList('# Webhooks\nwebhooks: []\n', 'webhooks', { op: 'add', item: { id: 'w' } })).toBe('# Webhooks\nwebhooks:\n  - id: w\n');
  });
});
