import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, template, type EngineHarness } from '../../../test-support/engine';
import { hashTree, pageCountOf, tempDir, writePdf } from '../../../test-support/files';

let h: EngineHarness;
afterEach(() => h?.cleanup());

const WEEKLY = readFileSync(join(__dirname, '..', '..', '..', 'configs', 'templates', 'weekly_report.yaml'), 'utf8');

async function inbox(): Promise<{ inbox: string; reports: string }> {
  const inbox = tempDir('weekly-inbox');
  await writePdf(join(inbox, 'a.pdf'), 2);
  await writePdf(join(inbox, 'b.pdf'), 3);
  return { inbox, reports: tempDir('weekly-reports') };
}

describe('a variable keeps the type its template declares (issue 14, item 3)', () => {
  it('runs the shipped weekly_report with summary_pages sent as the number 1 (what the run form sent)', async () => {
    h = engineHarness();
    const dirs = await inbox();
    const r = await h.run(WEEKLY, { variables: { ...dirs, summary_pages: 1 } });
    expect(r.outcome.error ?? null).toBeNull();
    expect(r.outcome.status).toBe('succeeded');
    const dated = readdirSync(dirs.reports);
    expect(dated).toHaveLength(1);
    const summary = readdirSync(join(dirs.reports, dated[0]!)).find((f) => f.startsWith('summary-'))!;
    expect(await pageCountOf(join(dirs.reports, dated[0]!, summary))).toBe(1);
  });

  it('refuses a value that cannot be the declared type, before any step', async () => {
    h = engineHarness();
    const r = await h.run(template('  - log: { message: "{{count}}" }\n', 'variables: { count: 3 }\n'), { variables: { count: 'three' } });
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'VARIABLE_INVALID', retryable: false });
    expect(r.outcome.error).toBe('Variable of the wrong type: count: expected a number (its default is a number), got the text "three"');
    expect(r.view.steps).toEqual([]);
  });
});

describe('pre-flight of params known from the template and the variables', () => {
  it('refuses weekly_report with summary_pages "x" before it renames or moves a file', async () => {
    h = engineHarness();
    const dirs = await inbox();
    const before = hashTree(dirs.inbox);
    const r = await h.run(WEEKLY, { variables: { ...dirs, summary_pages: 'x' } });
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'INVALID_PARAMS', retryable: false });
    expect(r.outcome.error).toContain('Refused before the first step (nothing was changed): steps[4] pdf_extract_pages: pages:');
    expect(r.view.steps).toEqual([]);
    expect(hashTree(dirs.inbox)).toEqual(before);
    expect(readdirSync(dirs.reports)).toEqual([]);
  });

  it('checks nested steps too, leaves params that read earlier steps or the loop item to step time, and skips a step whose when is known false', async () => {
    h = engineHarness();
    const dir = tempDir('preflight-nested');
    const yaml = template(
      `  - find_files: { roots: ["${dir}"], id: find }
  - pdf_extract_pages: { input: "{{steps.find.files[0]}}", pages: "{{steps.find.found}}", out: "${dir}/o.pdf", when: "steps.find.found > 5" }
  - pdf_extract_pages: { input: "${dir}/x.pdf", pages: "{{bad}}", out: "${dir}/o.pdf", when: "use_bad" }
  - for_each:
      items: [1, 2]
      steps:
        - pdf_extract_pages: { input: "${dir}/x.pdf", pages: "{{row}}", out: "${dir}/o.pdf", when: "false" }
        - log: { message: "item {{row}}", level: "{{level}}" }
`,
      'variables: { bad: "z", use_bad: false, level: info }\n',
    );
    const ok = await h.run(yaml);
    expect(ok.outcome.error ?? null).toBeNull();
    expect(ok.outcome.status).toBe('succeeded');

    const refused = await h.run(yaml, { variables: { use_bad: true, level: 'loud' } });
    expect(refused.outcome.errorCode).toBe('INVALID_PARAMS');
    expect(refused.outcome.error).toContain('steps[2] pdf_extract_pages: pages:');
    expect(refused.outcome.error).toContain('steps[3].for_each.steps[1] log: level:');
    expect(refused.view.steps).toEqual([]);
  });

  it('accepts a page number for pages', async () => {
    h = engineHarness();
    const dir = tempDir('pages-number');
    await writePdf(join(dir, 'in.pdf'), 3);
    const r = await h.run(template(`  - pdf_extract_pages: { input: "${dir}/in.pdf", pages: 2, out: "${dir}/out.pdf" }\n  - pdf_extract_pages: { input: "${dir}/in.pdf", pages: "{{p}}", out: "${dir}/out2.pdf" }\n`, 'variables: { p: null }\n'), { variables: { p: 3 } });
    expect(r.outcome.error ?? null).toBeNull();
    expect(await pageCountOf(join(dir, 'out.pdf'))).toBe(1);
    expect(await pageCountOf(join(dir, 'out2.pdf'))).toBe(1);
  });
});
