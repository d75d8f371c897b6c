import type { ProcedureDef } from '@shared/contract/procedure';

/** docs/api.md, generated from the contract so it cannot drift (`npm run docs:api`). */
export function renderApiMarkdown(procedures: readonly ProcedureDef[]): string {
  const byDomain = new Map<string, ProcedureDef[]>();
  for (const p of procedures) {
    const domain = p.name.split('.')[0]!;
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), p]);
  }
  const lines = [
    '# HTTP API',
    '',
    'Generated from `src-shared/contract` by `npm run docs:api`; a test fails when it is out of date.',
    'Every route is a procedure of the contract and goes through the one dispatcher (authenticate →',
    'authorize → validate → run → audit → mask). Errors are `{"error": {"code", "message", "details"}}`.',
    'Authenticate with HTTP Basic (`curl -u user:pass`), `Authorization: Bearer <session or API token>`,',
    'or the served UI\'s session cookie. A running instance also serves `/openapi.json` and `/docs`.',
    '',
  ];
  for (const [domain, procs] of [...byDomain].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`## ${domain}`, '', '| method | path | permission | procedure | what it does |', '|---|---|---|---|---|');
    for (const p of procs) {
      const extra = (p.accessWhen ?? []).map((r) => `; with \`${r.field}\`: ${r.access}`).join('');
      const access = `${p.publicWhen ? `${p.access} (public when ${p.publicWhen})` : p.access}${extra}`;
      lines.push(`| ${p.http.method} | \`${p.http.path}\` | ${access} | \`${p.name}\` | ${p.summary.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
