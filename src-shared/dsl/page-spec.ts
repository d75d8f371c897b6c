/** Page selections of `pdf_extract_pages`: "1,3-5", "2-" (to the end). Pages count from 1. */

export type PageRange = { from: number; to: number | null };

export class PageSpecError extends Error {}

export function parsePageSpec(spec: string): PageRange[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (!spec.trim() || parts.some((p) => !p)) throw new PageSpecError(`'${spec}' is not a page list; write pages like "1,3-5" or "2-"`);
  return parts.map((p) => {
    const m = /^(\d+)(?:\s*-\s*(\d+)?)?$/.exec(p);
    if (!m) throw new PageSpecError(`'${p}' is not a page or range; write pages like "1,3-5" or "2-"`);
    const from = Number(m[1]);
    const to = p.includes('-') ? (m[2] === undefined ? null : Number(m[2])) : from;
    if (from < 1) throw new PageSpecError(`page numbers start at 1 (got ${from})`);
    if (to !== null && to < from) throw new PageSpecError(`'${p}' runs backwards; write ${to}-${from}`);
    if ((to ?? from) > 100_000) throw new PageSpecError(`'${p}' is beyond 100000 pages`);
    return { from, to };
  });
}

/** The 1-based pages selected from a document of `count` pages, and those that do not exist. */
export function selectPages(ranges: PageRange[], count: number): { pages: number[]; missing: number[] } {
  const pages: number[] = [];
  const missing: number[] = [];
  for (const r of ranges) {
    const to = r.to ?? count;
    for (let p = r.from; p <= Math.max(to, r.from); p++) (p <= count ? pages : missing).push(p);
  }
  return { pages, missing: [...new Set(missing)] };
}

/** "6-8, 12" from [6, 7, 8, 12]. */
export function formatPages(pages: number[]): string {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j;
  }
  return out.join(', ');
}
