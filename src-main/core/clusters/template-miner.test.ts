import { describe, expect, it } from 'vitest';
import { maskMessage, maskToken } from './mask';
import { TemplateMiner } from './template-miner';

describe('masking', () => {
  it.each([
    ['blk_-6952295868487656571', '<*>'],
    ['10.251.73.220:50010', '<*>:<*>'],
    ['uid=10037,', 'uid=<*>,'],
    ['ws=null', 'ws=<*>'],
    ['/home/user/請求書.pdf', '<*>'],
    ['C:\\Users\\taro\\in.csv', '<*>'],
    ['https://portal.example.com/form?id=3', '<*>'],
    ['0x1f', '<*>'],
    ['2026-12-07T10:00:00Z', '<*>:<*>:<*>'],
    ['terminating', 'terminating'],
  ])('%s → %s', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });

  it('masks a quoted value with spaces as one value', () => {
    expect(maskMessage("no input field labelled 'Postal code' on page")).toEqual(['no', 'input', 'field', 'labelled', "'<*>'", 'on', 'page']);
    expect(maskMessage('tag="View Lock" here')).toEqual(['tag="<*>"', 'here']);
  });
});

describe('template mining', () => {
  it('puts messages that differ in ids, paths and numbers in one cluster and generalises its template', () => {
    const m = new TemplateMiner();
    const ids = [
      'Invoice INV-2026-0001 rejected by portal for customer 4411 at /srv/in/a.csv',
      'Invoice INV-2026-0417 rejected by portal for customer 9 at /srv/in/b/c.csv',
      'Invoice INV-2027-0002 rejected by portal for customer 123456 at /tmp/x.csv',
    ].map((msg) => m.add(msg).cluster.id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^AUTO_[0-9a-f]{8}$/);
    const other = m.add('Portal session expired for customer 4411').cluster.id;
    expect(other).not.toBe(ids[0]);
  });

  it('merges a varying word in a long message, keeps short messages that differ in a word apart', () => {
    const m = new TemplateMiner();
    const a = m.add('Invalid login for user admin from host portal').cluster;
    const b = m.add('Invalid login for user guest from host portal').cluster;
    expect(b.id).toBe(a.id);
    expect(a.tokens.join(' ')).toBe('Invalid login for user <*> from host portal');
    expect(m.add('Link error').cluster.id).not.toBe(m.add('Link ok').cluster.id);
  });

  it('keeps ids stable across a restart (restore) and as templates generalise', () => {
    const m = new TemplateMiner();
    const first = m.add('Upload of report 12 failed: quota of user taro exceeded').cluster;
    const saved = [...m.clusters()].map((c) => ({ id: c.id, template: c.tokens.join(' '), size: c.size }));
    const again = new TemplateMiner();
    again.restore(saved);
    expect(again.add('Upload of report 99 failed: quota of user hanako exceeded').cluster.id).toBe(first.id);
  });

  it('holds memory to maxClusters however many distinct messages arrive', () => {
    const m = new TemplateMiner({ maxClusters: 50 });
    for (let i = 0; i < 500; i++) m.add(`event${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} happened`);
    expect(m.clusterCount).toBeLessThanOrEqual(50);
  });
});
