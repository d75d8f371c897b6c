import { BlockList, isIP } from 'node:net';

/**
 * `allowed_ips`: single addresses and CIDRs, IPv4 and IPv6, checked against the socket's address
 * (never a forwarded header). An IPv4 peer seen as `::ffff:a.b.c.d` is checked as IPv4.
 */
export interface IpAllowList {
  allows(address: string): boolean;
}

export function parseAllowList(entries: readonly string[]): { ok: true; list: IpAllowList | null } | { ok: false; problems: { index: number; message: string }[] } {
  if (!entries.length) return { ok: true, list: null };
  const list = new BlockList();
  const problems: { index: number; message: string }[] = [];
  entries.forEach((entry, index) => {
    const [addr, bits, extra] = entry.trim().split('/');
    const family = isIP(addr ?? '');
    if (!family || extra !== undefined) return problems.push({ index, message: `'${entry}' is not an IP address or CIDR (like 192.30.252.0/22 or 2001:db8::/32)` });
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) return list.addAddress(addr!, type);
    const prefix = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return problems.push({ index, message: `'${entry}': the prefix length must be 0-${family === 4 ? 32 : 128}` });
    list.addSubnet(addr!, prefix, type);
    return undefined;
  });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    list: {
      allows(address: string) {
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
        const a = mapped ? mapped[1]! : address;
        const family = isIP(a);
        return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
      },
    },
  };
}

/** `extract_variables: ["repository.name"]` → `{repository_name: …}` from the JSON body. */
export function extractVariables(body: unknown, paths: readonly string[]): Record<string, unknown> {
  return compileExtractor(paths)(body);
}

/** The same, with the paths split once (a webhook's extractor serves all its deliveries). */
export function compileExtractor(paths: readonly string[]): (body: unknown) => Record<string, unknown> {
  const steps = paths.map((path) => ({ name: path.replace(/\./g, '_'), keys: path.split('.') }));
  return (body) => {
    const out: Record<string, unknown> = {};
    for (const { name, keys } of steps) {
      let v: unknown = body;
      for (const key of keys) v = v !== null && typeof v === 'object' && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
}
