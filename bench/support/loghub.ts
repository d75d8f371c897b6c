/**
 * LogHub-2k reading and grouping accuracy (GA) as defined in the data set's README: a line is
 * correct when the set of lines its parser group holds is exactly the set of lines sharing its
 * true EventId; GA = correct lines / all lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOGHUB_SETS = ['HDFS', 'Hadoop', 'Spark', 'Zookeeper', 'BGL', 'HPC', 'Android', 'HealthApp'] as const;

export interface LabelledLine {
  content: string;
  eventId: string;
}

/** RFC 4180 records (quoted fields with doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

export function readLabelled(dir: string, set: string, corrected: boolean): LabelledLine[] {
  const file = join(dir, set, `${set}_2k.log_structured${corrected ? '_corrected' : ''}.csv`);
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const content = header!.indexOf('Content');
  const eventId = header!.indexOf('EventId');
  if (content < 0 || eventId < 0) throw new Error(`${file}: no Content/EventId column`);
  return rows.filter((r) => r.length === header!.length).map((r) => ({ content: r[content]!, eventId: r[eventId]! }));
}

/** GA of a grouping (predicted[i] is line i's group) against the true event ids. */
export function groupingAccuracy(truth: readonly string[], predicted: readonly string[]): number {
  const trueSize = new Map<string, number>();
  for (const t of truth) trueSize.set(t, (trueSize.get(t) ?? 0) + 1);
  const groups = new Map<string, { size: number; truths: Set<string> }>();
  predicted.forEach((p, i) => {
    const g = groups.get(p) ?? { size: 0, truths: new Set<string>() };
    g.size++;
    g.truths.add(truth[i]!);
    groups.set(p, g);
  });
  let correct = 0;
  for (const g of groups.values()) {
    if (g.truths.size !== 1) continue;
    const [t] = [...g.truths];
    if (trueSize.get(t!) === g.size) correct += g.size;
  }
  return correct / truth.length;
}
