import { describe, expect, it } from 'vitest';
import { extractVariables, parseAllowList } from './ip-allow-list';

describe('allowed_ips', () => {
  it('matches single addresses and CIDRs for IPv4 and IPv6, IPv4-mapped peers as IPv4', () => {
    const r = parseAllowList(['192.30.252.0/22', '10.0.0.7', '2001:db8::/32', '::1']);
    if (!r.ok || !r.list) throw new Error('expected a list');
    expect(['192.30.252.1', '192.30.255.254', '::ffff:192.30.253.9', '10.0.0.7', '2001:db8:1::5', '::1'].map((a) => r.list!.allows(a))).toEqual([true, true, true, true, true, true]);
    expect(['192.30.256.1', '192.30.248.1', '10.0.0.8', '2001:db9::1', '127.0.0.1', 'junk'].map((a) => r.list!.allows(a))).toEqual([false, false, false, false, false, false]);
  });
  it('names a bad entry', () => {
    expect(parseAllowList(['10.0.0.0/33', 'example.com'])).toEqual({
      ok: false,
      problems: [
        { index: 0, message: "'10.0.0.0/33': the prefix length must be 0-32" },
        { index: 1, message: "'example.com' is not an IP address or CIDR (like 192.30.252.0/22 or 2001:db8::/32)" },
      ],
    });
    expect(parseAllowList([])).toEqual({ ok: true, list: null });
  });
});

describe('extract_variables', () => {
  it('turns dot paths into a_b names and leaves missing ones out', () => {
    const body = { repository: { name: 'desk' }, head_commit: { id: 'abc' }, list: [1] };
    expect(extractVariables(body, ['repository.name', 'head_commit.id', 'nope.x', 'list.0'])).toEqual({ repository_name: 'desk', head_commit_id: 'abc', list_0: 1 });
  });
});
